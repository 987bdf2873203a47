"""Who the synthetic people are: names, CDC race and ethnicity codes, languages, clinics.

Every name is invented for demo data; clinics and phone numbers (555-01xx) are fictional.
"""

from typing import NamedTuple

FEMALE_NAMES = (
    "Olivia", "Emma", "Ava", "Sophia", "Isabella", "Mia", "Charlotte", "Amelia", "Harper",
    "Evelyn", "Abigail", "Emily", "Elizabeth", "Sofia", "Avery", "Ella", "Scarlett", "Grace",
    "Chloe", "Victoria", "Riley", "Aria", "Lily", "Aubrey", "Zoey", "Hannah", "Layla", "Nora",
    "Camila", "Maria", "Lucia", "Valentina", "Ximena", "Guadalupe", "Rosa", "Carmen", "Mei",
    "Ling", "Yuna", "Priya", "Ananya", "Fatima", "Aisha", "Amara", "Zainab", "Keisha", "Imani",
    "Nia", "Jasmine", "Margaret", "Dorothy", "Patricia", "Linda", "Barbara", "Susan", "Karen",
    "Nancy", "Betty", "Helen", "Sandra", "Donna", "Carol", "Ruth", "Sharon", "Michelle", "Laura",
    "Sarah", "Kimberly", "Deborah", "Jessica", "Hoa", "Thu", "Mai", "Ngoc", "Anh",
)  # fmt: skip

MALE_NAMES = (
    "Liam", "Noah", "Oliver", "Elijah", "James", "William", "Benjamin", "Lucas", "Henry",
    "Alexander", "Mason", "Michael", "Ethan", "Daniel", "Jacob", "Logan", "Jackson", "Levi",
    "Sebastian", "Mateo", "Jack", "Owen", "Theodore", "Aiden", "Samuel", "Joseph", "John",
    "David", "Wyatt", "Matthew", "Luke", "Asher", "Carter", "Julian", "Grayson", "Leo",
    "Santiago", "Diego", "Alejandro", "Jose", "Luis", "Carlos", "Juan", "Miguel", "Wei", "Jun",
    "Hiroshi", "Arjun", "Rohan", "Omar", "Yusuf", "Ibrahim", "Malik", "Jamal", "Darnell",
    "Andre", "Robert", "Richard", "Thomas", "Charles", "Christopher", "Anthony", "Mark",
    "Donald", "Steven", "Paul", "Andrew", "Joshua", "Kenneth", "Kevin", "Brian", "George",
    "Minh", "Tuan", "Duc",
)  # fmt: skip

FAMILY_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Chen", "Wang", "Kim", "Park",
    "Patel", "Shah", "Singh", "Khan", "Ali", "Tran", "Pham", "Le", "Okafor", "Mensah",
    "Nakamura", "Tanaka", "Cohen", "Murphy", "O'Brien", "Kowalski", "Novak", "Rossi", "Silva",
)  # fmt: skip

MIDDLE_INITIAL_NAMES = ("A.", "B.", "C.", "D.", "E.", "J.", "K.", "L.", "M.", "R.", "S.", "T.")


class Coded(NamedTuple):
    """A CDC Race & Ethnicity code with its display."""

    code: str
    display: str


# OMB race categories with rough US shares (percent).
RACES: tuple[tuple[Coded, int], ...] = (
    (Coded("2106-3", "White"), 60),
    (Coded("2054-5", "Black or African American"), 13),
    (Coded("2028-9", "Asian"), 7),
    (Coded("1002-5", "American Indian or Alaska Native"), 2),
    (Coded("2076-8", "Native Hawaiian or Other Pacific Islander"), 1),
    (Coded("2131-1", "Other Race"), 17),
)

HISPANIC = Coded("2135-2", "Hispanic or Latino")
NOT_HISPANIC = Coded("2186-5", "Not Hispanic or Latino")

# BCP 47 language tags with rough shares among English-first patients (percent).
LANGUAGES: tuple[tuple[str, int], ...] = (
    ("en", 86),
    ("zh", 3),
    ("vi", 2),
    ("tl", 2),
    ("ko", 1),
    ("ar", 1),
    ("ru", 1),
    ("fr", 1),
    ("pt-BR", 1),
    ("hi", 2),
)


class Clinic(NamedTuple):
    """A fictional practice: its name and area code."""

    name: str
    area_code: str


CLINICS: tuple[Clinic, ...] = (
    Clinic("Maple Grove Family Practice", "617"),
    Clinic("Riverside Medical Center", "312"),
    Clinic("Northgate Internal Medicine", "206"),
    Clinic("Harbor View Hospital", "415"),
    Clinic("Cedar Hills Health Partners", "503"),
    Clinic("Lakeside Community Clinic", "612"),
    Clinic("Summit Valley Medical Group", "303"),
    Clinic("Bayside Specialty Associates", "305"),
    Clinic("Pine Ridge Health Center", "919"),
    Clinic("Westfield Regional Hospital", "216"),
)


class DemoPerson(NamedTuple):
    """A fixed demo patient."""

    given: str
    middle: str | None
    family: str
    sex: str
    age_years: int
    race: Coded
    ethnicity: Coded
    language: str
    conditions: tuple[str, ...]


ALICE = DemoPerson(
    "Alice",
    "Marie",
    "Carter",
    "F",
    58,
    Coded("2106-3", "White"),
    NOT_HISPANIC,
    "en",
    ("hypertension", "hyperlipidemia", "diabetes", "hypothyroidism"),
)
ALICE_CHILD = DemoPerson(
    "Lily",
    "Rose",
    "Carter",
    "F",
    14,
    Coded("2106-3", "White"),
    NOT_HISPANIC,
    "en",
    ("asthma", "allergic_rhinitis"),
)
BOB = DemoPerson(
    "Bob",
    "James",
    "Okafor",
    "M",
    44,
    Coded("2054-5", "Black or African American"),
    NOT_HISPANIC,
    "en",
    ("hypertension", "back_pain"),
)
