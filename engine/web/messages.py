"""The CLI's assessment errors in Indonesian, for the desk: the same words, Indonesian first, English beside.

The checks (engine.inputs) word their messages and "allowed" texts in English; RULES turns them into
Indonesian phrase by phrase, in order. The desk's script applies the same RULES (the page carries them
as JSON), so the words beside a field and indonesian() below agree.

    indonesian('120 is out of range')                      # '120 di luar rentang'
    indonesian('a number with 0 <= x <= 100')              # 'angka dengan 0 <= x <= 100'
    both({"message": "120 is out of range", "allowed": "a number with 0 <= x <= 100"})
    # '120 di luar rentang — boleh: angka dengan 0 <= x <= 100 / 120 is out of range — allowed: a number with 0 <= x <= 100'
"""
from __future__ import annotations

import re

Q = r'"([^"]*)"'
RULES: list[tuple[str, str]] = [
    (r' \(did you mean "([^"]*)"\?\)', ' (maksud Anda "$1"?)'),
    (r' \(write it without quotes\)', ' (tulis tanpa tanda kutip)'),
    (r' \(write ([^)]*)\)', ' (tulis $1)'),
    (r' \(first at line (\d+)\)', ' (pertama di baris $1)'),
    (r' \(first at ([^)]*)\)', ' (pertama di $1)'),
    (r'^wrong type: ', 'jenis salah: '),
    (r'^missing required key ' + Q, 'kunci wajib "$1" belum ada'),
    (r'^missing evidence ' + Q + r', which edition (\S+) needs$', 'bukti "$1" belum ada, padahal edisi $2 memerlukannya'),
    (r'^missing gate fact ' + Q + r', which edition (\S+) needs for commodity (\S+)$',
     'fakta syarat "$1" belum ada, padahal edisi $2 memerlukannya untuk komoditas $3'),
    (r'^missing gate fact ' + Q + r', which edition (\S+) needs$', 'fakta syarat "$1" belum ada, padahal edisi $2 memerlukannya'),
    (r'^unknown evidence ' + Q + ': no edition defines it', 'bukti "$1" tidak dikenal: tidak ada edisi yang memuatnya'),
    (r'^unknown gate fact ' + Q + ': no edition defines it', 'fakta syarat "$1" tidak dikenal: tidak ada edisi yang memuatnya'),
    (r'^unknown key ' + Q, 'kunci "$1" tidak dikenal'),
    (r'^unknown edition ' + Q, 'edisi "$1" tidak dikenal'),
    (r'^edition (\S+) is not earlier than this assessment\'s edition (\S+)$', 'edisi $1 tidak lebih awal dari edisi penilaian ini ($2)'),
    (r'^commodity ' + Q + r' is not in edition (\S+)\'s list', 'komoditas "$1" tidak ada dalam daftar edisi $2'),
    (r'^duplicate id ' + Q + r' in edition (\S+)', 'nomor penilaian "$1" ganda dalam edisi $2'),
    (r'^duplicate key ' + Q + r' in one (mapping|object)', 'kunci "$1" muncul dua kali dalam satu pemetaan'),
    (r'^empty text$', 'teks kosong'),
    (r'^the file holds an empty list$', 'berkas berisi daftar kosong'),
    (r'^one assessment \(a JSON object\)$', 'satu penilaian (objek JSON)'),
    (r'^an assessment is a mapping \(key: value\), not (\w+)$', 'penilaian adalah pemetaan (kunci: nilai), bukan $1'),
    (r'^JSON syntax error: ', 'kesalahan sintaks JSON: '),
    (r'^(.+) has the wrong form$', '$1 bentuknya salah'),
    (r'^(.+) is outside edition (\S+)\'s star scale$', '$1 di luar skala bintang edisi $2'),
    (r'^(.+) is outside the star scale$', '$1 di luar skala bintang'),
    (r'^(.+) is out of range$', '$1 di luar rentang'),
    (r'^(.+) is not a valid code', '$1 bukan kode yang sah'),
    (r'^(.+) is not written as a whole number', '$1 tidak ditulis sebagai bilangan bulat'),
    (r'^(.+) is not a whole number$', '$1 bukan bilangan bulat'),
    (r'^(.+) is not a finite number$', '$1 bukan bilangan terhingga'),
    (r'^(.+) is too large to be read$', '$1 terlalu besar untuk dibaca'),
    (r'^(.+) has more than (\d+) significant digits, more than the rules engine compares exactly$',
     '$1 memiliki lebih dari $2 angka penting, lebih dari yang dibandingkan mesin aturan secara persis'),
    (r'no value \(null\)', 'tanpa nilai (null)'),
    (r' is a boolean', ' adalah nilai benar/salah'),
    (r' is a number', ' adalah angka'),
    (r' is text', ' adalah teks'),
    (r'^a list, ', 'daftar, '),
    (r'^a mapping, ', 'pemetaan, '),
    (r', not true or false$', ', bukan true atau false'),
    (r', not a code$', ', bukan kode'),
    (r', not a number', ', bukan angka'),
    # allowed texts
    (r'^a number with ', 'angka dengan '),
    (r'^a whole number with ', 'bilangan bulat dengan '),
    (r'^a number$', 'angka'),
    (r'^a whole number$', 'bilangan bulat'),
    (r'^one of: ', 'salah satu dari: '),
    (r'^non-empty text$', 'teks yang tidak kosong'),
    (r'^true or false$', 'true (ya) atau false (tidak)'),
    (r'^0 \(no stars\) or (\d+) to (\d+)$', '0 (tanpa bintang) atau $1 sampai $2'),
    (r'^0 \(no stars\) or more$', '0 (tanpa bintang) atau lebih'),
    (r'^each id once per edition$', 'setiap nomor sekali per edisi'),
    (r'^each key once per mapping$', 'setiap kunci sekali per pemetaan'),
    (r'^one assessment \(a mapping\) or a list of them$', 'satu penilaian (pemetaan) atau daftar penilaian'),
    (r'^an object$', 'sebuah objek'),
    (r'^letters, digits, \'\.\', \'_\' and \'-\', starting with a letter or digit \(e\.g\. ([^)]*)\)$',
     "huruf, angka, '.', '_' dan '-', diawali huruf atau angka (mis. $1)"),
    (r'^an edition id as quoted text, e\.g\. (.+)$', 'nomor edisi sebagai teks berkutip, mis. $1'),
    (r'^a mapping with (.+)$', 'pemetaan berisi $1'),
    (r'^a mapping of gate facts to values, e\.g\. (.+)$', 'pemetaan fakta syarat ke nilainya, mis. $1'),
    (r'^a mapping of evidence names to values, e\.g\. (.+)$', 'pemetaan nama bukti ke nilainya, mis. $1'),
    (r'^a mapping like (.+)$', 'pemetaan seperti $1'),
    (r'^at most ([\d,]+) bytes \(5 MB\); split the list$', 'paling banyak $1 bita (5 MB); pecah daftarnya'),
    (r'^body of ([\d,]+) bytes is over the limit$', 'badan sebesar $1 bita melebihi batas'),
    (r'^JSON$', 'JSON'),
]
_COMPILED = [(re.compile(p), r) for p, r in RULES]
_GROUP = re.compile(r"\$(\d)")


def indonesian(text: str | None) -> str | None:
    """The Indonesian words of a CLI message or allowed text (a text already in both languages as is)."""
    if not text or " / " in text:
        return text
    for pattern, replacement in _COMPILED:
        text = pattern.sub(lambda m, r=replacement: _GROUP.sub(lambda g: m.group(int(g.group(1))) or "", r), text)
    return text


def both(error: dict) -> str:
    """One error as the desk shows it: Indonesian first, then the CLI's English words."""
    msg, allowed = error.get("message") or "", error.get("allowed")
    if " / " in msg:
        return msg + (f" — allowed: {allowed}" if allowed else "")
    id_text = indonesian(msg) + (f" — boleh: {indonesian(allowed)}" if allowed else "")
    en_text = msg + (f" — allowed: {allowed}" if allowed else "")
    return f"{id_text} / {en_text}"
