"""The questions both load benchmarks send (benchmarks/load.py and benchmarks/locustfile.py):
every answering path once — articles, records by city and by country, history, a refusal."""

QUESTIONS = [
    "Apa itu sister city?",
    "Surabaya punya kota kembar apa aja?",
    "Apa manfaat kota kembar buat warga?",
    "Apa tantangan kerja sama kota kembar?",
    "Kota mana aja yang kembaran sama kota di Jepang?",
    "Gimana sejarah twin cities?",
    "Bandung kembar sama kota mana?",
    "Siapa presiden Amerika?",  # out of scope: the refusal path
]
