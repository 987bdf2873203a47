"""Clinical code catalogs: conditions, medicines, vaccines, procedures, visits, devices, roles.

Facts only: SNOMED CT, ICD-10-CM, RxNorm, CVX, CPT and NUCC codes with their meaning.
"""

from typing import NamedTuple

from db.code_systems import CPT, SNOMED


class Condition(NamedTuple):
    """A SNOMED CT condition with the ICD-10-CM code it is billed under."""

    snomed: str
    display: str
    icd10: str
    icd10_display: str


class Medicine(NamedTuple):
    """An RxNorm clinical drug with how it is usually taken."""

    rxcui: str
    display: str
    dosage: str
    route: str


def _c(snomed: str, display: str, icd10: str, icd10_display: str) -> Condition:
    return Condition(snomed, display, icd10, icd10_display)


CHRONIC: dict[str, Condition] = {
    "hypertension": _c("59621000", "Essential hypertension", "I10",
                       "Essential (primary) hypertension"),
    "diabetes": _c("44054006", "Diabetes mellitus type 2", "E11.9",
                   "Type 2 diabetes mellitus without complications"),
    "prediabetes": _c("714628002", "Prediabetes", "R73.03", "Prediabetes"),
    "hyperlipidemia": _c("55822004", "Hyperlipidemia", "E78.5", "Hyperlipidemia, unspecified"),
    "asthma": _c("195967001", "Asthma", "J45.909", "Unspecified asthma, uncomplicated"),
    "copd": _c("13645005", "Chronic obstructive lung disease", "J44.9",
               "Chronic obstructive pulmonary disease, unspecified"),
    "depression": _c("370143000", "Major depressive disorder", "F32.9",
                     "Major depressive disorder, single episode, unspecified"),
    "anxiety": _c("197480006", "Anxiety disorder", "F41.9", "Anxiety disorder, unspecified"),
    "hypothyroidism": _c("40930008", "Hypothyroidism", "E03.9", "Hypothyroidism, unspecified"),
    "afib": _c("49436004", "Atrial fibrillation", "I48.91", "Unspecified atrial fibrillation"),
    "heart_failure": _c("88805009", "Chronic congestive heart failure", "I50.9",
                        "Heart failure, unspecified"),
    "cad": _c("53741008", "Coronary arteriosclerosis", "I25.10",
              "Atherosclerotic heart disease of native coronary artery without angina pectoris"),
    "ckd": _c("433144002", "Chronic kidney disease stage 3", "N18.30",
              "Chronic kidney disease, stage 3 unspecified"),
    "osteoarthritis": _c("239873007", "Osteoarthritis of knee", "M17.9",
                         "Osteoarthritis of knee, unspecified"),
    "hip_osteoarthritis": _c("239872002", "Osteoarthritis of hip", "M16.9",
                             "Osteoarthritis of hip, unspecified"),
    "back_pain": _c("278860009", "Chronic low back pain", "M54.50",
                    "Low back pain, unspecified"),
    "obesity": _c("162864005", "Body mass index 30+ - obesity", "E66.9", "Obesity, unspecified"),
    "osteoporosis": _c("64859006", "Osteoporosis", "M81.0",
                       "Age-related osteoporosis without current pathological fracture"),
    "allergic_rhinitis": _c("367498001", "Seasonal allergic rhinitis", "J30.2",
                            "Other seasonal allergic rhinitis"),
    "migraine": _c("37796009", "Migraine", "G43.909",
                   "Migraine, unspecified, not intractable, without status migrainosus"),
    "anemia": _c("271737000", "Anemia", "D64.9", "Anemia, unspecified"),
    "gout": _c("90560007", "Gout", "M10.9", "Gout, unspecified"),
    "sleep_apnea": _c("78275009", "Obstructive sleep apnea syndrome", "G47.33",
                      "Obstructive sleep apnea (adult) (pediatric)"),
    "atopic_dermatitis": _c("24079001", "Atopic dermatitis", "L20.9",
                            "Atopic dermatitis, unspecified"),
}  # fmt: skip

ACUTE: dict[str, Condition] = {
    "sinusitis": _c("444814009", "Viral sinusitis", "J01.90", "Acute sinusitis, unspecified"),
    "pharyngitis": _c("195662009", "Acute viral pharyngitis", "J02.9",
                      "Acute pharyngitis, unspecified"),
    "strep": _c("43878008", "Streptococcal sore throat", "J02.0", "Streptococcal pharyngitis"),
    "bronchitis": _c("10509002", "Acute bronchitis", "J20.9", "Acute bronchitis, unspecified"),
    "otitis": _c("65363002", "Otitis media", "H66.90",
                 "Otitis media, unspecified, unspecified ear"),
    "cystitis": _c("307426000", "Acute infective cystitis", "N30.00",
                   "Acute cystitis without hematuria"),
    "pneumonia": _c("233604007", "Pneumonia", "J18.9", "Pneumonia, unspecified organism"),
    "covid": _c("840539006", "Disease caused by severe acute respiratory syndrome coronavirus 2",
                "U07.1", "COVID-19"),
    "influenza": _c("6142004", "Influenza", "J11.1",
                    "Influenza due to unidentified influenza virus with other respiratory "
                    "manifestations"),
    "ankle_sprain": _c("44465007", "Sprain of ankle", "S93.409A",
                       "Sprain of unspecified ligament of unspecified ankle, initial encounter"),
    "headache": _c("25064002", "Headache", "R51.9", "Headache, unspecified"),
    "low_back_pain": _c("279039007", "Low back pain", "M54.50", "Low back pain, unspecified"),
}  # fmt: skip

HEALTH_CONCERNS: tuple[Condition, ...] = (
    _c("73595000", "Stress", "Z73.3", "Stress, not elsewhere classified"),
    _c("82423001", "Chronic pain", "G89.29", "Other chronic pain"),
    _c("84229001", "Fatigue", "R53.83", "Other fatigue"),
    _c("193462001", "Insomnia", "G47.00", "Insomnia, unspecified"),
    _c("238131007", "Overweight", "E66.3", "Overweight"),
    _c("733423003", "Food insecurity", "Z59.41", "Food insecurity"),
    _c("713458007", "Lack of access to transportation", "Z59.82", "Transportation insecurity"),
    _c("105531004", "Housing unsatisfactory", "Z59.1", "Inadequate housing"),
)  # fmt: skip


def _rx(rxcui: str, display: str, dosage: str, route: str = "oral") -> Medicine:
    return Medicine(rxcui, display, dosage, route)


DAILY = "Take 1 tablet by mouth once daily"
INHALER = "Inhale 2 puffs by mouth every 4 to 6 hours as needed for wheezing"

CHRONIC_MEDICINES: dict[str, tuple[Medicine, ...]] = {
    "hypertension": (_rx("314076", "lisinopril 10 MG Oral Tablet", DAILY),
                     _rx("308136", "amlodipine 2.5 MG Oral Tablet", DAILY),
                     _rx("310798", "hydrochlorothiazide 25 MG Oral Tablet", DAILY),
                     _rx("979492", "losartan potassium 50 MG Oral Tablet", DAILY)),
    "diabetes": (_rx("860975", "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet",
                     "Take 1 tablet by mouth with the evening meal"),),
    "hyperlipidemia": (_rx("617311", "atorvastatin 40 MG Oral Tablet", "Take 1 tablet by mouth "
                           "at bedtime"),
                       _rx("312961", "simvastatin 20 MG Oral Tablet", "Take 1 tablet by mouth "
                           "in the evening")),
    "asthma": (_rx("895996", "120 ACTUAT fluticasone propionate 0.044 MG/ACTUAT Metered Dose "
                   "Inhaler [Flovent]", "Inhale 2 puffs by mouth twice daily", "inhalation"),
               _rx("745752", "NDA021457 200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler "
                   "[ProAir]", INHALER, "inhalation")),
    "copd": (_rx("896209", "60 ACTUAT fluticasone propionate 0.25 MG/ACTUAT / salmeterol 0.05 "
                 "MG/ACTUAT Dry Powder Inhaler", "Inhale 1 puff by mouth twice daily",
                 "inhalation"),),
    "depression": (_rx("312938", "sertraline 100 MG Oral Tablet", DAILY),
                   _rx("310385", "fluoxetine 20 MG Oral Capsule", "Take 1 capsule by mouth "
                       "every morning")),
    "anxiety": (_rx("312938", "sertraline 100 MG Oral Tablet", DAILY),),
    "hypothyroidism": (_rx("966222", "levothyroxine sodium 0.075 MG Oral Tablet",
                           "Take 1 tablet by mouth every morning on an empty stomach"),),
    "afib": (_rx("855332", "warfarin sodium 5 MG Oral Tablet", "Take 1 tablet by mouth daily "
                 "or as directed by the anticoagulation clinic"),
             _rx("866412", "24 HR metoprolol succinate 100 MG Extended Release Oral Tablet",
                 DAILY)),
    "heart_failure": (_rx("313988", "furosemide 40 MG Oral Tablet", "Take 1 tablet by mouth "
                          "every morning"),
                      _rx("200033", "carvedilol 25 MG Oral Tablet", "Take 1 tablet by mouth "
                          "twice daily with food")),
    "cad": (_rx("243670", "aspirin 81 MG Oral Tablet", DAILY),
            _rx("309362", "clopidogrel 75 MG Oral Tablet", DAILY)),
    "osteoarthritis": (_rx("849574", "naproxen sodium 220 MG Oral Tablet", "Take 1 tablet by "
                           "mouth every 12 hours as needed for pain"),),
    "hip_osteoarthritis": (_rx("313782", "acetaminophen 325 MG Oral Tablet", "Take 2 tablets by "
                               "mouth every 6 hours as needed for pain"),),
    "back_pain": (_rx("310965", "ibuprofen 200 MG Oral Tablet", "Take 2 tablets by mouth every "
                      "8 hours as needed for pain"),),
    "osteoporosis": (_rx("904419", "alendronic acid 10 MG Oral Tablet", "Take 1 tablet by mouth "
                         "every morning with a full glass of water"),),
    "allergic_rhinitis": (_rx("1014678", "cetirizine hydrochloride 10 MG Oral Tablet", DAILY),
                          _rx("311372", "loratadine 10 MG Oral Tablet", DAILY)),
    "anemia": (_rx("310325", "ferrous sulfate 325 MG Oral Tablet", DAILY),),
    "gout": (_rx("197319", "allopurinol 100 MG Oral Tablet", DAILY),),
}  # fmt: skip

ACUTE_MEDICINES: dict[str, Medicine] = {
    "sinusitis": _rx("562251", "amoxicillin 250 MG / clavulanate 125 MG Oral Tablet",
                     "Take 1 tablet by mouth every 8 hours for 10 days"),
    "strep": _rx("834102", "penicillin V potassium 500 MG Oral Tablet",
                 "Take 1 tablet by mouth twice daily for 10 days"),
    "otitis": _rx("308182", "amoxicillin 250 MG Oral Capsule",
                  "Take 2 capsules by mouth every 12 hours for 10 days"),
    "cystitis": _rx("1648755", "nitrofurantoin, macrocrystals 25 MG / nitrofurantoin, monohydrate "
                    "75 MG Oral Capsule", "Take 1 capsule by mouth twice daily for 5 days"),
    "pneumonia": _rx("562508", "amoxicillin 875 MG / clavulanate 125 MG Oral Tablet",
                     "Take 1 tablet by mouth every 12 hours for 7 days"),
    "covid": _rx("313782", "acetaminophen 325 MG Oral Tablet",
                 "Take 2 tablets by mouth every 6 hours as needed for fever"),
    "ankle_sprain": _rx("310965", "ibuprofen 200 MG Oral Tablet",
                        "Take 2 tablets by mouth every 8 hours as needed for pain"),
    "low_back_pain": _rx("849574", "naproxen sodium 220 MG Oral Tablet",
                         "Take 1 tablet by mouth every 12 hours as needed for pain"),
}  # fmt: skip

# CVX vaccines.
VACCINES: dict[str, tuple[str, str]] = {
    "flu_trivalent": ("140", "Influenza, seasonal, injectable, preservative free"),
    "flu_quadrivalent": ("150", "Influenza, injectable, quadrivalent, preservative free"),
    "covid_pfizer": ("208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose"),
    "covid_moderna": ("207", "COVID-19, mRNA, LNP-S, PF, 100 mcg/0.5mL dose or 50 mcg/0.25mL dose"),
    "tdap": ("115", "Tdap"),
    "td": ("113", "Td (adult) preservative free"),
    "zoster": ("187", "zoster vaccine recombinant"),
    "pcv13": ("133", "Pneumococcal conjugate PCV 13"),
    "ppsv23": ("33", "pneumococcal polysaccharide PPV23"),
    "hpv9": ("165", "HPV9"),
    "mcv4": ("114", "meningococcal MCV4P"),
    "hepb_peds": ("08", "Hep B, adolescent or pediatric"),
    "hepa_peds": ("83", "Hep A, ped/adol, 2 dose"),
    "mmr": ("03", "MMR"),
    "varicella": ("21", "varicella"),
    "dtap": ("20", "DTaP"),
    "ipv": ("10", "IPV"),
}  # fmt: skip

# Visit types: (system, code, display, HL7 ActCode class).
VISITS: dict[str, tuple[str, str, str, str]] = {
    "new": (CPT, "99203", "Office or other outpatient visit for the evaluation and management of "
            "a new patient, low level of medical decision making", "AMB"),
    "followup": (CPT, "99214", "Office or other outpatient visit for the evaluation and management "
                 "of an established patient, moderate level of medical decision making", "AMB"),
    "acute": (CPT, "99213", "Office or other outpatient visit for the evaluation and management of "
              "an established patient, low level of medical decision making", "AMB"),
    "wellness_teen": (CPT, "99394", "Periodic comprehensive preventive medicine reevaluation and "
                      "management, established patient; adolescent (age 12 through 17 years)",
                      "AMB"),
    "wellness_young": (CPT, "99395", "Periodic comprehensive preventive medicine reevaluation and "
                       "management, established patient; 18-39 years", "AMB"),
    "wellness_middle": (CPT, "99396", "Periodic comprehensive preventive medicine reevaluation "
                        "and management, established patient; 40-64 years", "AMB"),
    "wellness_senior": (CPT, "99397", "Periodic comprehensive preventive medicine reevaluation "
                        "and management, established patient; 65 years and older", "AMB"),
    "telehealth": (SNOMED, "448337001", "Telemedicine consultation with patient", "VR"),
    "emergency": (SNOMED, "50849002", "Emergency room admission", "EMER"),
    "inpatient": (SNOMED, "32485007", "Hospital admission", "IMP"),
    "surgery": (SNOMED, "371883000", "Outpatient procedure", "AMB"),
}  # fmt: skip

# Procedures: (system, code, display, body site or None).
PROCEDURES: dict[str, tuple[str, str, str, str | None]] = {
    "depression_screening": (SNOMED, "171207006", "Depression screening", None),
    "med_reconciliation": (SNOMED, "430193006", "Medication reconciliation", None),
    "venipuncture": (CPT, "36415", "Collection of venous blood by venipuncture", "Arm"),
    "ecg": (CPT, "93000", "Electrocardiogram, routine ECG with at least 12 leads; with "
            "interpretation and report", "Chest"),
    "chest_xray": (CPT, "71046", "Radiologic examination, chest; 2 views", "Chest"),
    "spirometry": (SNOMED, "127783003", "Spirometry", None),
    "colonoscopy": (SNOMED, "73761001", "Colonoscopy", "Colon"),
    "mammography": (SNOMED, "71651007", "Mammography", "Breast"),
    "bone_density": (SNOMED, "312681000", "Bone density scan", "Hip"),
    "retinal_exam": (SNOMED, "722161008", "Diabetic retinal eye exam", "Eye"),
    "echocardiography": (SNOMED, "40701008", "Echocardiography", "Heart"),
    "pacemaker": (CPT, "33208", "Insertion of new or replacement of permanent pacemaker with "
                  "transvenous electrode(s); atrial and ventricular", "Chest"),
    "defibrillator": (CPT, "33249", "Insertion or replacement of permanent implantable "
                      "defibrillator system, with transvenous lead(s), single or dual chamber",
                      "Chest"),
    "stent": (SNOMED, "415070008", "Percutaneous coronary intervention", "Coronary artery"),
    "hip_replacement": (CPT, "27130", "Arthroplasty, acetabular and proximal femoral prosthetic "
                        "replacement (total hip arthroplasty), with or without autograft or "
                        "allograft", "Hip"),
    "iud": (SNOMED, "65200003", "Insertion of intrauterine contraceptive device", "Uterus"),
    "cochlear": (CPT, "69930", "Cochlear device implantation, with or without mastoidectomy",
                 "Ear"),
    "dental_implant": (SNOMED, "81733005", "Dental surgical procedure", "Jaw"),
}  # fmt: skip

# SNOMED CT care plan types, by the condition (or situation) they address.
CARE_PLANS: dict[str, tuple[str, str]] = {
    "diabetes": ("735985000", "Diabetes self management plan"),
    "prediabetes": ("718361005", "Weight management program"),
    "obesity": ("718361005", "Weight management program"),
    "hypertension": ("443402002", "Lifestyle education regarding hypertension"),
    "hyperlipidemia": ("736285004", "Hyperlipidemia clinical management plan"),
    "asthma": ("699728000", "Asthma self management"),
    "copd": ("736283006", "Chronic obstructive pulmonary disease clinical management plan"),
    "heart_failure": ("735984001", "Heart failure self management plan"),
    "depression": ("718347000", "Mental health care plan"),
    "anxiety": ("718347000", "Mental health care plan"),
    "osteoarthritis": ("773513001", "Physiotherapy care plan"),
    "hip_osteoarthritis": ("408869004", "Musculoskeletal care"),
    "back_pain": ("773513001", "Physiotherapy care plan"),
    "infection": ("736376001", "Infectious disease care plan"),
    "general": ("734163000", "Care plan"),
}  # fmt: skip
