"""Fixed tables for the synthetic assessment generator: places, products, name parts, target shapes.

Places are real provinces and regencies; firms are made up. Every synthetic name carries the tag
"SYN<yy>-<serial>" so that no record can be mistaken for a real firm.

Target shapes are the share of outcomes a synthetic sample of each edition aims at, in the order
ineligible, not awarded, then stars from the top. Where SOURCES.md publishes a round's counts, the
awarded part follows them; the rest (not awarded, ineligible, unknown star splits) is assumed.
"""
from __future__ import annotations

INELIGIBLE = -1
NOT_AWARDED = 0

# province -> a few of its regencies/cities
PLACES: dict[str, tuple[str, ...]] = {
    "Aceh": ("Kabupaten Aceh Besar", "Kabupaten Pidie", "Kota Banda Aceh"),
    "Sumatera Utara": ("Kabupaten Toba", "Kabupaten Karo", "Kota Pematangsiantar"),
    "Sumatera Barat": ("Kabupaten Tanah Datar", "Kabupaten Agam", "Kota Bukittinggi"),
    "Riau": ("Kabupaten Siak", "Kabupaten Kampar", "Kota Pekanbaru"),
    "Jambi": ("Kabupaten Muaro Jambi", "Kabupaten Kerinci", "Kota Jambi"),
    "Sumatera Selatan": ("Kabupaten Ogan Ilir", "Kabupaten Ogan Komering Ilir", "Kota Palembang"),
    "Bengkulu": ("Kabupaten Rejang Lebong", "Kabupaten Bengkulu Tengah", "Kota Bengkulu"),
    "Lampung": ("Kabupaten Lampung Barat", "Kabupaten Tanggamus", "Kota Bandar Lampung"),
    "Bangka Belitung": ("Kabupaten Bangka", "Kabupaten Belitung", "Kota Pangkalpinang"),
    "Jawa Barat": ("Kabupaten Garut", "Kabupaten Tasikmalaya", "Kabupaten Cirebon", "Kabupaten Purwakarta"),
    "Jawa Tengah": ("Kabupaten Pekalongan", "Kabupaten Jepara", "Kabupaten Klaten", "Kota Surakarta"),
    "DI Yogyakarta": ("Kabupaten Bantul", "Kabupaten Sleman", "Kabupaten Kulon Progo", "Kota Yogyakarta"),
    "Jawa Timur": ("Kabupaten Malang", "Kabupaten Sidoarjo", "Kabupaten Tuban", "Kabupaten Banyuwangi"),
    "Banten": ("Kabupaten Serang", "Kabupaten Pandeglang", "Kabupaten Lebak"),
    "Bali": ("Kabupaten Gianyar", "Kabupaten Klungkung", "Kabupaten Karangasem", "Kabupaten Tabanan"),
    "Nusa Tenggara Barat": ("Kabupaten Lombok Barat", "Kabupaten Lombok Tengah", "Kabupaten Bima"),
    "Nusa Tenggara Timur": ("Kabupaten Sikka", "Kabupaten Sumba Timur", "Kabupaten Timor Tengah Selatan"),
    "Kalimantan Barat": ("Kabupaten Sambas", "Kabupaten Sintang", "Kota Pontianak"),
    "Kalimantan Tengah": ("Kabupaten Kotawaringin Barat", "Kabupaten Kapuas", "Kota Palangka Raya"),
    "Kalimantan Selatan": ("Kabupaten Banjar", "Kabupaten Hulu Sungai Selatan", "Kota Banjarmasin"),
    "Kalimantan Timur": ("Kabupaten Kutai Kartanegara", "Kabupaten Berau", "Kota Samarinda"),
    "Sulawesi Utara": ("Kabupaten Minahasa", "Kabupaten Bolaang Mongondow", "Kota Manado"),
    "Sulawesi Tengah": ("Kabupaten Donggala", "Kabupaten Poso", "Kota Palu"),
    "Sulawesi Selatan": ("Kabupaten Wajo", "Kabupaten Gowa", "Kabupaten Toraja Utara", "Kota Makassar"),
    "Gorontalo": ("Kabupaten Gorontalo", "Kabupaten Bone Bolango", "Kota Gorontalo"),
    "Maluku": ("Kabupaten Maluku Tengah", "Kabupaten Kepulauan Tanimbar", "Kota Ambon"),
    "Papua": ("Kabupaten Jayapura", "Kabupaten Biak Numfor", "Kota Jayapura"),
}

# family -> (product, 2013-list code, 2018-list code)
PRODUCTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "pangan": (
        ("keripik tempe", "makanan_ringan", "makanan_minuman"),
        ("dodol", "makanan_ringan", "makanan_minuman"),
        ("keripik pisang", "makanan_ringan", "makanan_minuman"),
        ("kerupuk ikan", "makanan_ringan", "makanan_minuman"),
        ("rendang kemasan", "makanan_ringan", "makanan_minuman"),
        ("sirup markisa", "minuman_sari_buah_sirup", "makanan_minuman"),
        ("sari buah pala", "minuman_sari_buah_sirup", "makanan_minuman"),
        ("kopi bubuk", "minuman_sari_buah_sirup", "makanan_minuman"),
        ("wedang jahe instan", "minuman_sari_buah_sirup", "makanan_minuman"),
    ),
    "tenun": (
        ("tenun ikat", "tenun", "kain_tenun"), ("songket", "tenun", "kain_tenun"),
        ("ulos", "tenun", "kain_tenun"), ("tenun gedog", "tenun", "kain_tenun"),
        ("sarung tenun", "tenun", "kain_tenun"),
    ),
    "batik": (
        ("batik tulis", "batik", "kain_batik"), ("batik cap", "batik", "kain_batik"),
        ("batik pewarna alam", "batik", "kain_batik"), ("batik kombinasi", "batik", "kain_batik"),
    ),
    "anyaman": (
        ("anyaman ketak", "anyaman", "anyaman"), ("anyaman rotan", "anyaman", "anyaman"),
        ("anyaman pandan", "anyaman", "anyaman"), ("anyaman bambu", "anyaman", "anyaman"),
        ("tas purun", "anyaman", "anyaman"),
    ),
    "gerabah": (
        ("gerabah hias", "gerabah_keramik_hias", "gerabah"), ("keramik hias", "gerabah_keramik_hias", "gerabah"),
        ("gentong tanah liat", "gerabah_keramik_hias", "gerabah"), ("tungku gerabah", "gerabah_keramik_hias", "gerabah"),
    ),
}
FAMILY_WEIGHTS = {"pangan": 40, "tenun": 18, "batik": 18, "anyaman": 14, "gerabah": 10}
FAMILY_WORD = {"pangan": ("Rasa", "Citarasa", "Dapur", "Selera"), "tenun": ("Tenun", "Songket", "Ikat"),
               "batik": ("Batik", "Canting", "Motif"), "anyaman": ("Anyam", "Rotan", "Pandan"),
               "gerabah": ("Gerabah", "Tanah Liat", "Keramik")}
FORMS = ("UD", "CV", "KUB", "IKM")
ADJECTIVES = ("Sinar", "Cahaya", "Mekar", "Karya", "Sumber", "Berkah", "Maju", "Mitra", "Putri", "Citra",
              "Lestari", "Jaya", "Tunas", "Harapan", "Bunga", "Sari")

# typical upper end for evidence whose top level is unbounded (for realistic magnitudes)
SPAN = {"jaminan_bahan_baku_tahun": 8, "nilai_tambah_pct": 150, "lama_di_sentra_tahun": 35,
        "mitra_sentra_unit": 15, "omzet_tahunan_juta": 9000, "kanal_pemasaran": 8, "pameran_2_tahun": 9,
        "inovasi_produk_2_tahun": 6}
# evidence written with one decimal now and then (the rest are whole numbers)
DECIMAL_EVIDENCE = {"bahan_baku_lokal_pct", "jaminan_bahan_baku_tahun", "nilai_tambah_pct",
                    "tenaga_kerja_lokal_pct", "omzet_tahunan_juta", "lama_di_sentra_tahun"}

# edition -> outcome class -> weight (class: INELIGIBLE, NOT_AWARDED or stars)
TARGETS: dict[str, dict[int, int]] = {
    # 38 awarded: 2/9/13/11/3 [published]; 14 not awarded, 8 ineligible [assumed]
    "2013": {5: 2, 4: 9, 3: 13, 2: 11, 1: 3, NOT_AWARDED: 14, INELIGIBLE: 8},
    # 110 awarded: 2/23/51 and 34 reported as 2 stars by one source, 1 star by another (split 17/17)
    "2015": {5: 2, 4: 23, 3: 51, 2: 17, 1: 17, NOT_AWARDED: 25, INELIGIBLE: 15},
    # 112 awarded, 4 of them 5 stars [published]; the other splits [assumed]
    "2018": {5: 4, 4: 24, 3: 44, 2: 26, 1: 14, NOT_AWARDED: 25, INELIGIBLE: 15},
    # 77 holders [published]; star split, not awarded and ineligible [assumed]
    "2022": {3: 14, 2: 34, 1: 29, NOT_AWARDED: 15, INELIGIBLE: 18},
    # 159 proposals, 89 passed administrative selection [published]; the split of the 89 [assumed]
    "2024": {3: 16, 2: 34, 1: 27, NOT_AWARDED: 12, INELIGIBLE: 70},
}
DEFAULT_N = {"2013": 60, "2015": 60, "2018": 60, "2022": 80, "2024": 159}
