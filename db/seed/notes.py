"""Short clinical wording for assessments and plans of treatment."""

PLANS: dict[str, tuple[str, ...]] = {
    "diabetes": (
        "Continue metformin. Recheck hemoglobin A1c in 3 months. Annual dilated eye exam and "
        "urine albumin. Reviewed foot care and carbohydrate counting.",
        "Reinforced diet and 150 minutes of walking a week. Home glucose log to next visit.",
    ),
    "prediabetes": (
        "Lifestyle program: 7 % weight loss goal, 150 minutes of activity a week. Repeat A1c in "
        "12 months.",
    ),
    "obesity": ("Referred to dietitian. Goal of 5 % weight loss; track meals and steps daily.",),
    "hypertension": (
        "Continue current antihypertensive. Low-sodium diet, home blood pressure log twice "
        "daily, recheck in 6 months.",
        "Blood pressure above goal: increase dose, recheck in 4 weeks with home readings.",
    ),
    "hyperlipidemia": ("Continue statin. Fasting lipid panel and liver tests in 12 months.",),
    "asthma": (
        "Daily inhaled steroid, rescue inhaler as needed. Reviewed inhaler technique and the "
        "asthma action plan.",
    ),
    "copd": ("Continue maintenance inhaler. Pulmonary rehabilitation; smoking cessation advised.",),
    "heart_failure": (
        "Daily weights; call if up 1 kg in a day or 2 kg in a week. Limit salt and fluids. "
        "Continue diuretic and beta blocker.",
    ),
    "depression": (
        "Continue SSRI. Weekly therapy sessions. Safety plan reviewed; PHQ-9 at next visit.",
    ),
    "anxiety": ("Cognitive behavioural therapy referral. Continue SSRI; review in 3 months.",),
    "osteoarthritis": ("Physical therapy twice weekly for 6 weeks; NSAID as needed with food.",),
    "hip_osteoarthritis": (
        "Home exercise program; discuss joint replacement if pain limits walking.",
    ),
    "back_pain": ("Core strengthening with physical therapy; heat and NSAID as needed.",),
    "infection": (
        "Supportive care, fluids and rest. Complete the antibiotic course if prescribed; return "
        "if fever persists beyond 3 days.",
    ),
    "general": (
        "Age-appropriate screening up to date. Continue healthy diet and regular exercise. "
        "Return for annual check-up.",
        "Reviewed medications and immunizations. Follow up in 12 months or sooner as needed.",
    ),
}  # fmt: skip

STATUS_PHRASES = (
    "stable on current treatment",
    "improving since last visit",
    "not yet at goal",
    "well controlled",
)

NEW_DIAGNOSIS = "newly diagnosed"
