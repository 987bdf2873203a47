"""Care catalogs: care team roles, referrals, goals, allergens and implantable device types.

Facts only: NUCC provider taxonomy, SNOMED CT and RxNorm codes with their meaning.
"""

from typing import NamedTuple

from db.code_systems import LOINC, NUCC, RXNORM, SNOMED


class Role(NamedTuple):
    """A care team role: code system, code and display."""

    system: str
    code: str
    display: str


PRIMARY_CARE = Role(SNOMED, "446050000", "Primary care physician")
NURSE = Role(NUCC, "163W00000X", "Registered Nurse")
NURSE_PRACTITIONER = Role(NUCC, "363LF0000X", "Nurse Practitioner, Family")
PHARMACIST = Role(NUCC, "183500000X", "Pharmacist")
CAREGIVER = Role(SNOMED, "133932002", "Caregiver")

# Specialists, keyed by specialty; each is a NUCC taxonomy code.
SPECIALISTS: dict[str, Role] = {
    "cardiology": Role(NUCC, "207RC0000X", "Cardiovascular Disease Physician"),
    "endocrinology": Role(NUCC, "207RE0101X", "Endocrinology, Diabetes & Metabolism Physician"),
    "pulmonology": Role(NUCC, "207RP1001X", "Pulmonary Disease Physician"),
    "nephrology": Role(NUCC, "207RN0300X", "Nephrology Physician"),
    "psychiatry": Role(NUCC, "2084P0800X", "Psychiatry Physician"),
    "orthopedics": Role(NUCC, "207X00000X", "Orthopaedic Surgery Physician"),
    "gynecology": Role(NUCC, "207V00000X", "Obstetrics & Gynecology Physician"),
    "allergy": Role(NUCC, "207K00000X", "Allergy & Immunology Physician"),
    "dermatology": Role(NUCC, "207N00000X", "Dermatology Physician"),
    "neurology": Role(NUCC, "2084N0400X", "Neurology Physician"),
    "dentistry": Role(NUCC, "1223G0001X", "General Practice Dentist"),
    "physical_therapy": Role(NUCC, "225100000X", "Physical Therapist"),
    "dietetics": Role(NUCC, "133V00000X", "Dietitian, Registered"),
}

PRIMARY_CARE_SPECIALTIES: tuple[Role, ...] = (
    Role(NUCC, "207Q00000X", "Family Medicine Physician"),
    Role(NUCC, "207R00000X", "Internal Medicine Physician"),
)

# Which specialist sees a chronic condition (conditions without one stay with primary care).
SPECIALTY_OF: dict[str, str] = {
    "afib": "cardiology",
    "heart_failure": "cardiology",
    "cad": "cardiology",
    "diabetes": "endocrinology",
    "hypothyroidism": "endocrinology",
    "copd": "pulmonology",
    "asthma": "allergy",
    "allergic_rhinitis": "allergy",
    "ckd": "nephrology",
    "depression": "psychiatry",
    "anxiety": "psychiatry",
    "osteoarthritis": "orthopedics",
    "hip_osteoarthritis": "orthopedics",
    "back_pain": "physical_therapy",
    "obesity": "dietetics",
    "prediabetes": "dietetics",
    "atopic_dermatitis": "dermatology",
    "migraine": "neurology",
}

# SNOMED CT referral procedures: cardiology has its own; others are referrals to a specialist.
REFERRAL_TO_CARDIOLOGY = ("183519002", "Referral to cardiology service")
REFERRAL_TO_SPECIALIST = ("103696004", "Patient referral to specialist")
REFERRAL_FOR_DENTAL_CARE = ("103697008", "Patient referral for dental care")


class GoalTarget(NamedTuple):
    """A goal: its code (LOINC for a measurable target, SNOMED CT otherwise) and wording."""

    system: str
    code: str
    display: str
    description: str


GOALS: dict[str, GoalTarget] = {
    "diabetes": GoalTarget(LOINC, "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood",
                           "Hemoglobin A1c below 7.0 %"),
    "hypertension": GoalTarget(LOINC, "85354-9", "Blood pressure panel with all children optional",
                               "Blood pressure below 130/80 mm[Hg]"),
    "hyperlipidemia": GoalTarget(LOINC, "13457-7", "Cholesterol in LDL [Mass/volume] in Serum or "
                                 "Plasma by calculation", "LDL cholesterol below 100 mg/dL"),
    "obesity": GoalTarget(SNOMED, "161832001", "Progressive weight loss",
                          "Lose 5 % of body weight over six months"),
    "prediabetes": GoalTarget(SNOMED, "161832001", "Progressive weight loss",
                              "Lose 7 % of body weight and walk 150 minutes a week"),
    "healthy_weight": GoalTarget(LOINC, "39156-5", "Body mass index (BMI) [Ratio]",
                                 "Keep body mass index between 18.5 and 25 kg/m2"),
}  # fmt: skip


class Allergen(NamedTuple):
    """A substance (SNOMED CT or RxNorm), its allergy category and typical reactions."""

    system: str
    code: str
    display: str
    category: str
    reactions: tuple[str, ...]


ALLERGENS: tuple[Allergen, ...] = (
    Allergen(SNOMED, "256277009", "Grass pollen", "environment", ("sneezing", "itching")),
    Allergen(SNOMED, "782576004", "Tree pollen", "environment", ("sneezing", "itching")),
    Allergen(SNOMED, "264287008", "Animal dander", "environment", ("sneezing", "urticaria")),
    Allergen(SNOMED, "260147004", "House dust mite", "environment", ("sneezing", "cough")),
    Allergen(SNOMED, "84489001", "Mold", "environment", ("sneezing", "cough")),
    Allergen(SNOMED, "111088007", "Latex", "environment", ("urticaria", "rash")),
    Allergen(SNOMED, "288328004", "Bee venom", "environment", ("anaphylaxis", "urticaria")),
    Allergen(SNOMED, "762952008", "Peanut", "food", ("anaphylaxis", "urticaria")),
    Allergen(SNOMED, "735029006", "Shellfish", "food", ("urticaria", "nausea")),
    Allergen(SNOMED, "102263004", "Eggs (edible)", "food", ("rash", "nausea")),
    Allergen(SNOMED, "3718001", "Cow's milk", "food", ("nausea", "diarrhea")),
    Allergen(SNOMED, "735971005", "Fish", "food", ("urticaria", "nausea")),
    Allergen(RXNORM, "7984", "Penicillin V", "medication", ("urticaria", "rash")),
    Allergen(RXNORM, "1191", "Aspirin", "medication", ("urticaria", "dyspnea")),
    Allergen(RXNORM, "10831", "Sulfamethoxazole / Trimethoprim", "medication", ("rash", "itching")),
    Allergen(RXNORM, "29046", "Lisinopril", "medication", ("cough",)),
    Allergen(RXNORM, "5640", "Ibuprofen", "medication", ("urticaria", "nausea")),
)  # fmt: skip

# SNOMED CT reaction manifestations.
REACTIONS: dict[str, tuple[str, str]] = {
    "urticaria": ("126485001", "Urticaria"),
    "rash": ("271807003", "Eruption of skin"),
    "anaphylaxis": ("39579001", "Anaphylaxis"),
    "itching": ("418290006", "Itching of skin"),
    "nausea": ("422587007", "Nausea"),
    "dyspnea": ("267036007", "Dyspnea"),
    "cough": ("49727002", "Cough"),
    "diarrhea": ("62315008", "Diarrhea"),
    "sneezing": ("76067001", "Sneezing"),
}


class DeviceType(NamedTuple):
    """A SNOMED CT implantable device type, the procedure that places it, and its maker.

    The makers and model numbers are made up: demo data must not name real products.
    """

    code: str
    display: str
    procedure: str
    manufacturer: str
    model_prefix: str
    shelf_life_years: int


DEVICES: dict[str, DeviceType] = {
    "pacemaker": DeviceType("706004007", "Implantable cardiac pacemaker", "pacemaker",
                            "Northfield Cardiac Systems", "NCP", 2),
    "defibrillator": DeviceType("72506001", "Implantable defibrillator", "defibrillator",
                                "Northfield Cardiac Systems", "NCD", 2),
    "stent": DeviceType("705643001", "Coronary artery stent", "stent",
                        "Meridian Vascular", "MVS", 3),
    "hip": DeviceType("304120007", "Total hip replacement prosthesis", "hip_replacement",
                      "Keystone Orthopedics", "KHP", 5),
    "iud": DeviceType("268460000", "Intrauterine contraceptive device", "iud",
                      "Willowbrook Women's Health Devices", "WIU", 5),
    "cochlear": DeviceType("43252007", "Cochlear prosthesis", "cochlear",
                           "Clearsound Hearing Implants", "CSI", 3),
    "dental": DeviceType("272307009", "Endosseous oral implant", "dental_implant",
                         "Brightline Dental Implants", "BDI", 5),
}  # fmt: skip
