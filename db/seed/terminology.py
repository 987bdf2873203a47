"""Code systems and the observation catalogs (LOINC codes, UCUM units, adult reference ranges).

Facts only: every code here is a real code of its system. Values are typical adult
reference intervals; laboratories differ slightly, which is why each result carries
its own range.
"""

from typing import NamedTuple


class Measure(NamedTuple):
    """A LOINC quantity: unit in UCUM, reference range, and a typical healthy value."""

    code: str
    display: str
    unit: str
    low: float | None
    high: float | None
    mean: float
    sd: float
    decimals: int


def _m(
    code: str,
    display: str,
    unit: str,
    low: float | None,
    high: float | None,
    mean: float,
    sd: float,
    decimals: int = 1,
) -> Measure:
    return Measure(code, display, unit, low, high, mean, sd, decimals)


LABS: dict[str, Measure] = {
    "glucose": _m("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 70, 99, 88, 8, 0),
    "bun": _m("3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", "mg/dL", 7, 20, 14, 3, 0),
    "creatinine": _m("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL",
                     0.7, 1.3, 0.95, 0.12, 2),
    "sodium": _m("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L",
                 136, 145, 140, 2, 0),
    "potassium": _m("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L",
                    3.5, 5.1, 4.2, 0.3),
    "chloride": _m("2075-0", "Chloride [Moles/volume] in Serum or Plasma", "mmol/L",
                   98, 107, 102, 2, 0),
    "co2": _m("2028-9", "Carbon dioxide, total [Moles/volume] in Serum or Plasma", "mmol/L",
              22, 29, 25, 2, 0),
    "calcium": _m("17861-6", "Calcium [Mass/volume] in Serum or Plasma", "mg/dL",
                  8.6, 10.3, 9.4, 0.35),
    "egfr": _m("98979-8", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in "
               "Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)",
               "mL/min/{1.73_m2}", 60, None, 92, 12, 0),
    "wbc": _m("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL",
              4.5, 11.0, 7.0, 1.4),
    "rbc": _m("789-8", "Erythrocytes [#/volume] in Blood by Automated count", "10*6/uL",
              4.3, 5.9, 4.9, 0.35, 2),
    "hemoglobin": _m("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 13.5, 17.5, 15.2, 0.9),
    "hematocrit": _m("4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count", "%",
                     41, 53, 45, 2.5),
    "mcv": _m("787-2", "MCV [Entitic volume] by Automated count", "fL", 80, 100, 90, 4),
    "platelets": _m("777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL",
                    150, 400, 250, 50, 0),
    "cholesterol": _m("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "mg/dL",
                      None, 200, 180, 25, 0),
    "triglycerides": _m("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "mg/dL",
                        None, 150, 115, 35, 0),
    "hdl": _m("2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "mg/dL",
              40, None, 55, 10, 0),
    "ldl": _m("13457-7", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation",
              "mg/dL", None, 100, 98, 22, 0),
    "alt": _m("1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
              "U/L", 7, 56, 24, 8, 0),
    "ast": _m("1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or "
              "Plasma", "U/L", 10, 40, 22, 6, 0),
    "alp": _m("6768-6", "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma",
              "U/L", 44, 147, 80, 20, 0),
    "bilirubin": _m("1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", "mg/dL",
                    0.1, 1.2, 0.6, 0.2),
    "albumin": _m("1751-7", "Albumin [Mass/volume] in Serum or Plasma", "g/dL", 3.5, 5.0, 4.3, 0.3),
    "a1c": _m("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4.0, 5.6, 5.2, 0.25),
    "tsh": _m("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "m[IU]/L",
              0.4, 4.0, 1.8, 0.7, 2),
    "uacr": _m("14959-1", "Microalbumin/Creatinine [Mass Ratio] in Urine", "mg/g",
               None, 30, 12, 6, 0),
    "urate": _m("3084-1", "Urate [Mass/volume] in Serum or Plasma", "mg/dL", 3.5, 7.2, 5.4, 0.9),
    "inr": _m("6301-6", "INR in Platelet poor plasma by Coagulation assay", "{INR}",
              0.8, 1.2, 1.0, 0.08, 1),
}  # fmt: skip

# Female reference intervals where they differ from the defaults above: (low, high, mean).
FEMALE_RANGES: dict[str, tuple[float, float, float]] = {
    "creatinine": (0.5, 1.1, 0.78),
    "hemoglobin": (12.0, 15.5, 13.6),
    "hematocrit": (36, 46, 40.5),
    "rbc": (3.9, 5.2, 4.5),
}

PANELS: dict[str, tuple[str, ...]] = {
    "bmp": ("glucose", "bun", "creatinine", "sodium", "potassium", "chloride", "co2", "calcium",
            "egfr"),
    "cbc": ("wbc", "rbc", "hemoglobin", "hematocrit", "mcv", "platelets"),
    "lipid": ("cholesterol", "triglycerides", "hdl", "ldl"),
    "hepatic": ("alt", "ast", "alp", "bilirubin", "albumin"),
    "a1c": ("a1c",),
    "tsh": ("tsh",),
    "uacr": ("uacr",),
    "urate": ("urate",),
    "inr": ("inr",),
}  # fmt: skip

# How a chronic condition moves a patient's typical value (untreated), by lab key.
CONDITION_LAB_EFFECTS: dict[str, dict[str, float]] = {
    "diabetes": {"a1c": 7.9, "glucose": 165, "triglycerides": 175, "uacr": 45},
    "prediabetes": {"a1c": 6.0, "glucose": 108},
    "hyperlipidemia": {"cholesterol": 238, "ldl": 152, "triglycerides": 185, "hdl": 42},
    "ckd": {"creatinine": 1.65, "egfr": 44, "bun": 27, "potassium": 4.8, "hemoglobin": 12.2},
    "hypothyroidism": {"tsh": 7.5},
    "anemia": {"hemoglobin": 10.6, "hematocrit": 32.5, "mcv": 76},
    "gout": {"urate": 8.6},
    "afib": {"inr": 2.5},
}

VITALS: dict[str, Measure] = {
    "systolic": _m("8480-6", "Systolic blood pressure", "mm[Hg]", 90, 120, 116, 8, 0),
    "diastolic": _m("8462-4", "Diastolic blood pressure", "mm[Hg]", 60, 80, 74, 6, 0),
    "heart_rate": _m("8867-4", "Heart rate", "/min", 60, 100, 72, 8, 0),
    "respiratory_rate": _m("9279-1", "Respiratory rate", "/min", 12, 20, 15, 2, 0),
    "temperature": _m("8310-5", "Body temperature", "Cel", 36.1, 37.2, 36.7, 0.25),
    "spo2": _m("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%",
               95, 100, 98, 1, 0),
    "weight": _m("29463-7", "Body weight", "kg", None, None, 0, 1.2),
    "height": _m("8302-2", "Body height", "cm", None, None, 0, 0.4),
    "bmi": _m("39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", 18.5, 24.9, 0, 0),
}  # fmt: skip

SMOKING_STATUS = ("72166-2", "Tobacco smoking status")

# SNOMED CT answers for tobacco smoking status (US Core value set).
SMOKING_ANSWERS: dict[str, tuple[str, str]] = {
    "daily": ("449868002", "Smokes tobacco daily"),
    "occasional": ("428041000124106", "Occasional tobacco smoker"),
    "former": ("8517006", "Ex-smoker"),
    "never": ("266919005", "Never smoked tobacco"),
}


class Assessment(NamedTuple):
    """A scored instrument: LOINC code, top score, and the score from which it is abnormal."""

    code: str
    display: str
    maximum: int
    cutoff: int | None


MENTAL: dict[str, Assessment] = {
    "phq2": Assessment("55758-7", "Patient Health Questionnaire 2 item (PHQ-2) total score "
                       "[Reported]", 6, 3),
    "phq9": Assessment("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score "
                       "[Reported]", 27, 10),
    "gad7": Assessment("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score "
                       "[Reported.PHQ]", 21, 10),
    "moca": Assessment("72172-0", "Total score [MoCA]", 30, None),
}  # fmt: skip

# CMS functional-ability items (LOINC), scored on the CMS six-level scale.
FUNCTIONAL: tuple[tuple[str, str], ...] = (
    ("83232-9", "Eating - functional ability during 3 day assessment period [CMS Assessment]"),
    ("83230-3", "Oral hygiene - functional ability during 3 day assessment period "
                "[CMS Assessment]"),
    ("83194-1", "4 steps - functional ability during 3 day assessment period [CMS Assessment]"),
    ("83192-5", "12 steps - functional ability during 3 day assessment period [CMS Assessment]"),
)  # fmt: skip

FUNCTIONAL_LEVELS: dict[int, str] = {
    6: "Independent",
    5: "Setup or clean-up assistance",
    4: "Supervision or touching assistance",
    3: "Partial/moderate assistance",
    2: "Substantial/maximal assistance",
    1: "Dependent",
}
