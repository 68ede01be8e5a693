"""Synthetic MEDLINE files that look like PubMed's own, for the benchmark.

Everything comes from one seed, so two runs with the same seed write the same bytes. Words are
drawn from a ranked vocabulary with Zipf weights (a few words in every record, a long tail of
rare ones), as in real abstracts, so that the full-text index has realistic document lists and
sorting meets realistic ties. Authors, journals, MeSH headings and keywords are drawn the same
way from pools where some are common and most are rare.

The records follow PubMed's layout: tags padded to four columns, lines wrapped at 88 columns
with a trailing space at each wrap and six spaces of indentation, one blank line between
records. Each record has a title and an abstract (some structured), 1 to 15 authors with
affiliations (some with ORCIDs), 3 to 15 MeSH headings with qualifiers and major-topic stars,
author keywords, a journal with ISSNs, a DOI for most, and a publication date in one of the
forms PubMed prints (``2019 Mar 15``, ``2019 Mar``, ``2019``, ``2019 Sep-Oct``, ``2013 Winter``).
"""

from __future__ import annotations

import functools
import itertools
import os
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SEED = 20240611
WRAP = 88
INDENT = " " * 6
FIRST_PMID = 30_000_000


def _words(text: str) -> list[str]:
    return text.split()


# Frequent words of scientific English, most frequent first: these head the Zipf ranking.
COMMON_WORDS = _words(
    """
the of and in to a with was were for is by that on as from at are this or be an than patients
study these results we not which between after group all has have had also both using more
significantly associated higher increased compared during two may but its can our their no
among use used treatment effect effects showed found analysis data years observed however
clinical risk total mean age who based within after three respectively including whereas high
low level levels time rate one new could significant further whether well each other been
"""
)

# Content words of biomedical abstracts, roughly from common to rare.
DOMAIN_WORDS = _words(
    """
cells expression cancer disease protein model function activity response factors outcomes
cell therapy role tissue patient children women mice gene genes human infection health
studies mortality survival tumor blood cohort trial diagnosis imaging receptor signaling
pathway mechanism inflammation acute chronic severe syndrome injury brain heart liver kidney
lung muscle bone skin vascular cardiac renal hepatic pulmonary neural neuronal cortical
inflammatory immune metabolic insulin glucose obesity diabetes hypertension stroke dementia
depression anxiety schizophrenia autism epilepsy pain sleep fatigue asthma allergy vaccine
vaccination antibody antibodies antigen lymphocytes macrophages neutrophils cytokines
interleukin necrosis apoptosis autophagy proliferation migration invasion metastasis tumors
carcinoma adenocarcinoma lymphoma leukemia melanoma sarcoma glioma glioblastoma breast
prostate colorectal gastric pancreatic ovarian cervical thyroid bladder esophageal hepatocellular
chemotherapy radiotherapy immunotherapy surgery resection transplantation dialysis
intervention randomized controlled placebo double blind prospective retrospective
multicenter observational cross sectional longitudinal systematic review meta regression
logistic hazard ratio odds confidence interval sensitivity specificity accuracy prognostic
predictive biomarker biomarkers marker markers screening detection prevalence incidence
population national registry hospital admission emergency intensive care primary
quality life adherence dose doses dosage pharmacokinetics toxicity adverse events safety
efficacy tolerability administration oral intravenous infusion injection drug drugs
inhibitor inhibitors inhibition agonist antagonist binding kinase phosphorylation
transcription translation mutation mutations variant variants polymorphism genotype
phenotype sequencing genome genomic transcriptome proteomic metabolomic microbiome
bacteria bacterial viral virus fungal resistance antibiotic antimicrobial pathogen
pathogens strains isolates culture coronavirus influenza tuberculosis malaria hepatitis
HIV SARS COVID pandemic transmission exposure environmental occupational smoking alcohol
diet dietary nutrition physical exercise training performance cognitive memory learning
behavior behavioral social economic cost costs income education rural urban community
mothers pregnancy pregnant maternal neonatal infants birth preterm gestational fetal
adolescents adults older elderly aged men male female sex gender ethnic racial disparities
mitochondrial oxidative stress reactive oxygen species DNA RNA microRNA mRNA methylation
epigenetic chromatin histone stem progenitor differentiation regeneration repair fibrosis
angiogenesis endothelial epithelial fibroblasts keratinocytes hepatocytes cardiomyocytes
neurons astrocytes microglia synaptic dopamine serotonin glutamate cortex hippocampus
cerebellum spinal cord retina cornea lens optic auditory cochlear dental oral periodontal
orthopedic fracture arthroplasty osteoarthritis rheumatoid arthritis lupus psoriasis
dermatitis colitis crohn inflammatory bowel celiac cirrhosis steatosis fatty nephropathy
retinopathy neuropathy cardiomyopathy arrhythmia fibrillation atrial ventricular coronary
myocardial infarction ischemia reperfusion thrombosis embolism hemorrhage anemia platelet
coagulation anticoagulant statin aspirin metformin insulin corticosteroids opioid
anesthesia analgesia postoperative complications readmission length stay discharge
laparoscopic robotic endoscopic minimally invasive ultrasound tomography magnetic resonance
positron emission computed radiography mammography electrocardiography echocardiography
machine deep neural network algorithm algorithms prediction classification segmentation
validation calibration external internal cohort derivation simulation modeling framework
"""
)

# Word parts of the rare tail: roots and endings that make plausible technical terms.
ROOTS = _words(
    """
cardi neur hepat nephr oste derm gastr immun lymph myel angi arthr bronch cyst enter hem
hist leuk my nucle onc path pharmac phosph pneum psych pulmon ren rhin sarc thromb tox
vas ven chondr cortic cyt encephal erythr fibr gluc glyc hydr kerat lip mening mucos ocul
ot pancreat plasm proct pyel scler spondyl stomat tend thyr trache ur uter vesic
"""
)
ENDINGS = _words(
    """
itis osis ase in ine ogenic opathy ectomy ocyte oma ography ology emia uria algia plasty
oid otomy ostomy ide one ate ol amine ase2 ic al ous ium
"""
)
GENE_LETTERS = "ABCDEFGHIJKLMNOPRSTVWXYZ"

FAMILY_NAMES = _words(
    """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Wang Li Zhang
Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Lin Gao Luo Zheng Liang Xie Song
Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Yu Du Ye Cheng Wei Su Lu
Kim Park Choi Jung Kang Cho Yoon Jang Lim Shin Suzuki Sato Takahashi Tanaka Watanabe Ito
Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki Yamaguchi Matsumoto Inoue Kimura
Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch
Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann
Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti
Dubois Durand Lefebvre Moreau Laurent Simon Michel Leroy Roux David Bertrand Morel Fournier
Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Muller Faure André Mercier Blanc
Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz Díaz
Moreno Muñoz Álvarez Romero Alonso Gutiérrez Navarro Torres Domínguez Vázquez Ramos Gil
Silva Santos Oliveira Souza Pereira Costa Ferreira Almeida Carvalho Gomes Ribeiro Lima
Kowalski Nowak Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak
Novák Svoboda Dvořák Černý Procházka Kučera Horváth Nagy Tóth Szabó Kovács Varga Šimić
Ivanov Smirnov Kuznetsov Popov Petrov Sokolov Volkov Kozlov Novikov Morozov Pavlov Fedorov
Jensen Nielsen Hansen Pedersen Andersen Larsen Sørensen Rasmussen Johansson Karlsson
Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson Virtanen Korhonen Mäkinen
O'Brien O'Connor Murphy Kelly Walsh Byrne Ryan McCarthy Doyle Gallagher MacDonald Stewart
Patel Shah Singh Kumar Sharma Gupta Reddy Rao Mehta Joshi Iyer Nair Das Bose Chatterjee
Mukherjee Banerjee Khan Ahmed Ali Hassan Hussain Rahman Malik Chaudhry Yilmaz Kaya Demir
Şahin Çelik Öztürk Cohen Levi Friedman Katz Goldberg Shapiro Rosenberg Klein Mizrahi
van der Berg de Vries van Dijk Bakker Janssen Visser Smit Meijer de Boer Mulder de Groot
Okafor Okeke Adeyemi Mensah Owusu Mwangi Kamau Otieno Nkosi Dlamini Abdi Haile Tesfaye
"""
)
# "van der Berg" and "de Vries" split above; these prefixes rejoin the next word.
NAME_PARTICLES = {"van", "der", "de"}

GIVEN_NAMES = _words(
    """
James John Robert Michael William David Richard Joseph Thomas Charles Daniel Matthew
Anthony Mark Paul Steven Andrew Joshua Kevin Brian George Edward Ronald Timothy Jason
Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Nancy Lisa Betty
Margaret Sandra Ashley Kimberly Emily Donna Michelle Dorothy Carol Amanda Melissa Deborah
Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Shirley Angela Helen Anna Brenda Pamela
Wei Jing Li Min Hui Yan Xin Jun Hong Lei Tao Bin Yu Fang Ying Ling Qiang Ming Hao Jie
Hiroshi Takashi Kenji Yuki Akiko Naoko Satoshi Makoto Keiko Tomoko Ji-Hoon Min-Jun Seo-Yeon
Hans Klaus Jürgen Stefan Andreas Thomas Sabine Petra Ursula Katrin Jörg Matthias Anke
Giuseppe Giovanni Marco Francesco Alessandro Luca Giulia Francesca Chiara Elena Paola
Jean Pierre Michel Philippe Nicolas François Isabelle Nathalie Sylvie Céline Hélène
José Antonio Manuel Francisco Javier Carlos Miguel Ángel María Carmen Lucía Pilar Inés
João Pedro Luís Ana Mariana Beatriz Rafael Gabriel Fernanda Juliana Tiago Rodrigo
Piotr Krzysztof Tomasz Agnieszka Katarzyna Małgorzata Jan Petr Eva Zsófia László Ivan
Sergei Dmitri Alexei Olga Tatiana Natalia Lars Anders Erik Ingrid Karin Mikael Sören
Priya Rahul Anil Sunil Deepak Kavita Anjali Vikram Arjun Lakshmi Mohammed Ahmed Fatima
Aisha Omar Yusuf Mehmet Ayşe Mustafa Elif David Sarah Noa Yael Chidi Ngozi Kwame Amara
"""
)

CITIES = _words(
    """
Boston,USA Baltimore,USA Houston,USA Seattle,USA Chicago,USA Toronto,Canada Montreal,Canada
London,UK Oxford,UK Cambridge,UK Edinburgh,UK Dublin,Ireland Paris,France Lyon,France
Berlin,Germany Munich,Germany Heidelberg,Germany Zurich,Switzerland Geneva,Switzerland
Amsterdam,Netherlands Leiden,Netherlands Stockholm,Sweden Copenhagen,Denmark Oslo,Norway
Helsinki,Finland Milan,Italy Rome,Italy Madrid,Spain Barcelona,Spain Lisbon,Portugal
Vienna,Austria Warsaw,Poland Prague,Czech_Republic Budapest,Hungary Athens,Greece
Istanbul,Turkey Tel_Aviv,Israel Cairo,Egypt Nairobi,Kenya Cape_Town,South_Africa
Lagos,Nigeria Beijing,China Shanghai,China Guangzhou,China Wuhan,China Chengdu,China
Hong_Kong,China Taipei,Taiwan Seoul,Korea Tokyo,Japan Osaka,Japan Kyoto,Japan
Singapore,Singapore Bangkok,Thailand Mumbai,India Delhi,India Bangalore,India
Sydney,Australia Melbourne,Australia Auckland,New_Zealand Sao_Paulo,Brazil
Buenos_Aires,Argentina Mexico_City,Mexico Santiago,Chile Bogota,Colombia Tehran,Iran
"""
)
DEPARTMENTS = _words(
    """
Medicine Surgery Pediatrics Neurology Cardiology Oncology Radiology Pathology Psychiatry
Epidemiology Biostatistics Pharmacology Physiology Biochemistry Immunology Microbiology
Genetics Dermatology Ophthalmology Orthopaedics Urology Obstetrics_and_Gynecology
Anesthesiology Emergency_Medicine Public_Health Nursing Dentistry Nutrition Bioengineering
"""
)
INSTITUTION_FORMS = (
    "University of {city}",
    "{city} University Hospital",
    "{city} Medical Center",
    "National Institute of Health Research, {city}",
    "{city} Cancer Center",
    "Faculty of Medicine, {city} University",
    "Children's Hospital of {city}",
)

JOURNAL_FIELDS = _words(
    """
Cardiology Oncology Neurology Immunology Microbiology Pediatrics Surgery Radiology
Epidemiology Pharmacology Genetics Endocrinology Nephrology Hepatology Gastroenterology
Dermatology Psychiatry Psychology Nursing Dentistry Ophthalmology Urology Rheumatology
Hematology Virology Toxicology Nutrition Physiology Biochemistry Anesthesiology Orthopedics
Infectious_Diseases Public_Health Medicine Bioinformatics Cell_Biology Molecular_Biology
Neuroscience Biomaterials Pathology Sports_Medicine Reproductive_Medicine Critical_Care
"""
)
JOURNAL_FORMS = (
    ("Journal of {f}", "J {a}"),
    ("{f} Research", "{a} Res"),
    ("International Journal of {f}", "Int J {a}"),
    ("Clinical {f}", "Clin {a}"),
    ("European Journal of {f}", "Eur J {a}"),
    ("Annals of {f}", "Ann {a}"),
    ("{f} Reports", "{a} Rep"),
    ("Frontiers in {f}", "Front {a}"),
    ("BMC {f}", "BMC {a}"),
    ("Current Opinion in {f}", "Curr Opin {a}"),
    ("American Journal of {f}", "Am J {a}"),
    ("{f} Letters", "{a} Lett"),
)

MESH_DESCRIPTORS = _words(
    """
Humans Female Male Adult Middle_Aged Aged Animals Mice Young_Adult Adolescent Child
Aged,_80_and_over Retrospective_Studies Risk_Factors Prospective_Studies Treatment_Outcome
Cohort_Studies Child,_Preschool Infant Rats Cross-Sectional_Studies Prognosis
Follow-Up_Studies Time_Factors Mice,_Inbred_C57BL Cell_Line,_Tumor Signal_Transduction
Disease_Models,_Animal Surveys_and_Questionnaires Risk_Assessment Incidence Prevalence
Infant,_Newborn Pregnancy Case-Control_Studies Severity_of_Illness_Index Biomarkers
Apoptosis Cell_Proliferation Gene_Expression_Regulation,_Neoplastic Neoplasms
Breast_Neoplasms Lung_Neoplasms Colorectal_Neoplasms Prostatic_Neoplasms Liver_Neoplasms
Stomach_Neoplasms Pancreatic_Neoplasms Carcinoma,_Hepatocellular Diabetes_Mellitus,_Type_2
Obesity Hypertension Stroke Alzheimer_Disease Parkinson_Disease Depression Anxiety
COVID-19 SARS-CoV-2 Pandemics HIV_Infections Tuberculosis Influenza,_Human Sepsis
Inflammation Oxidative_Stress Reactive_Oxygen_Species Mitochondria Autophagy
MicroRNAs RNA,_Long_Noncoding DNA_Methylation Mutation Polymorphism,_Single_Nucleotide
Genotype Phenotype Gene_Expression_Profiling Sequence_Analysis,_DNA Machine_Learning
Algorithms Reproducibility_of_Results Sensitivity_and_Specificity ROC_Curve
Magnetic_Resonance_Imaging Tomography,_X-Ray_Computed Ultrasonography Positron-Emission_Tomography
Quality_of_Life Socioeconomic_Factors Health_Services_Accessibility Delivery_of_Health_Care
Postoperative_Complications Length_of_Stay Hospitalization Intensive_Care_Units
Randomized_Controlled_Trials_as_Topic Double-Blind_Method Drug_Therapy,_Combination
Antineoplastic_Agents Anti-Bacterial_Agents Antiviral_Agents Immunotherapy Vaccines
Myocardial_Infarction Heart_Failure Atrial_Fibrillation Coronary_Artery_Disease
Kidney_Diseases Renal_Insufficiency,_Chronic Liver_Cirrhosis Non-alcoholic_Fatty_Liver_Disease
Asthma Pulmonary_Disease,_Chronic_Obstructive Arthritis,_Rheumatoid Osteoarthritis
Osteoporosis Fractures,_Bone Exercise Diet Smoking Alcohol_Drinking Body_Mass_Index
Blood_Glucose Insulin Insulin_Resistance Cholesterol Lipids Cytokines Interleukin-6
Tumor_Necrosis_Factor-alpha T-Lymphocytes B-Lymphocytes Macrophages Neutrophils
Stem_Cells Cell_Differentiation Cell_Movement Neoplasm_Invasiveness Neoplasm_Metastasis
Neoplasm_Staging Survival_Rate Kaplan-Meier_Estimate Proportional_Hazards_Models
Logistic_Models Multivariate_Analysis Odds_Ratio Regression_Analysis Brain Neurons
Hippocampus Cognition Memory Sleep Pain Analgesics,_Opioid Anesthesia Surgical_Procedures,_Operative
Laparoscopy Robotic_Surgical_Procedures Transplantation Kidney_Transplantation Dialysis
Bacteria Escherichia_coli Staphylococcus_aureus Drug_Resistance,_Bacterial Microbiota
Gastrointestinal_Microbiome Pregnancy_Outcome Premature_Birth Breast_Feeding
Mental_Health Schizophrenia Autism_Spectrum_Disorder Suicide Students Health_Personnel
Attitude_of_Health_Personnel Education,_Medical Telemedicine Internet Primary_Health_Care
"""
)
MESH_SERIES = (
    "Receptors, {W}",
    "{W} Proteins",
    "{W} Neoplasms",
    "{W} Diseases",
    "{W} Agents",
    "{W}, Genetic",
    "Protein {W}",
    "{W} Syndrome",
)
MESH_QUALIFIERS = _words(
    """
metabolism genetics pathology therapy diagnosis drug_therapy epidemiology physiology
etiology complications surgery diagnostic_imaging pharmacology immunology methods
chemistry blood physiopathology prevention_&_control mortality statistics_&_numerical_data
drug_effects adverse_effects analysis psychology administration_&_dosage virology
microbiology cytology enzymology therapeutic_use toxicity rehabilitation urine
ultrastructure economics standards trends nursing innervation anatomy_&_histology
"""
)

PUBLICATION_TYPES = (
    (("Journal Article",), 62),
    (("Journal Article", "Research Support, Non-U.S. Gov't"), 16),
    (("Journal Article", "Review"), 9),
    (("Journal Article", "Randomized Controlled Trial"), 3),
    (("Journal Article", "Multicenter Study", "Research Support, N.I.H., Extramural"), 3),
    (("Journal Article", "Systematic Review", "Meta-Analysis"), 2),
    (("Case Reports", "Journal Article"), 3),
    (("Letter",), 1),
    (("Editorial",), 1),
)
LANGUAGES = (("eng", 94), ("chi", 2), ("ger", 1), ("fre", 1), ("spa", 1), ("jpn", 1))
STRUCTURE = ("BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS")
MONTHS = _words("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec")
SEASONS = ("Spring", "Summer", "Fall", "Winter")
STATUS = (("MEDLINE", 80), ("PubMed-not-MEDLINE", 12), ("In-Process", 5), ("Publisher", 3))


def _urn(pairs: Sequence[tuple[object, int]]) -> list:
    """Each value repeated by its (integer) weight: a uniform draw from it is a weighted one."""
    return [value for value, weight in pairs for _ in range(weight)]


def draw(rng: random.Random, urn: Sequence):
    """One uniform draw; faster than ``rng.choice``, which the generator calls millions of times."""
    return urn[int(rng.random() * len(urn))]


class Pool:
    """Values with Zipf weights by rank: the first few common, the long tail rare.

    The values sit in an urn, each repeated in proportion to its weight (a value whose share
    is below one place gets it with that probability), so that a draw is one index: the
    generator makes tens of millions of draws.
    """

    def __init__(
        self,
        values: Sequence,
        rng: random.Random,
        exponent: float = 1.05,
        offset: float = 2.7,
    ):
        self.values = list(values)
        weights = [1.0 / (rank + offset) ** exponent for rank in range(len(self.values))]
        size = min(max(64 * len(self.values), 1 << 16), 1 << 20) / sum(weights)
        self._urn = []
        for value, weight in zip(self.values, weights, strict=True):
            copies, fraction = divmod(weight * size, 1)
            self._urn += [value] * (int(copies) + (rng.random() < fraction))

    def pick(self, rng: random.Random):
        return draw(rng, self._urn)

    def sample(self, rng: random.Random, k: int) -> list:
        urn, size, random_ = self._urn, len(self._urn), rng.random
        return [urn[int(random_() * size)] for _ in range(k)]

    def distinct(self, rng: random.Random, k: int) -> list:
        """Up to ``k`` different values (fewer when the draws keep repeating)."""
        return list(dict.fromkeys(self.sample(rng, k * 2)))[:k]


class TextSource:
    """Running text: slices of one long Zipf-distributed word stream.

    Slicing a stream drawn once is far cheaper than drawing every word of every abstract;
    random starts and strides keep records from sharing long runs of words.
    """

    def __init__(self, pool: Pool, rng: random.Random, length: int = 1 << 20):
        self._stream = pool.sample(rng, length)

    def words(self, rng: random.Random, k: int) -> list[str]:
        step = draw(rng, (1, 2, 3, 5, 7, 11))
        start = int(rng.random() * (len(self._stream) - k * step))
        return self._stream[start : start + k * step : step]


def _tail_words(rng: random.Random, count: int) -> list[str]:
    """Rare technical terms: root + ending, gene-like symbols, and root compounds."""
    words: dict[str, None] = {}
    while len(words) < count:
        kind = rng.random()
        if kind < 0.45:
            word = rng.choice(ROOTS) + rng.choice(ENDINGS).rstrip("2")
        elif kind < 0.7:
            letters = "".join(rng.choices(GENE_LETTERS, k=rng.randint(2, 4)))
            word = letters + str(rng.randint(1, 99))
        else:
            word = rng.choice(ROOTS) + "o" + rng.choice(ROOTS) + rng.choice(ENDINGS).rstrip("2")
        words[word] = None
    return list(words)


def _join_particles(words: Sequence[str]) -> list[str]:
    """Family names from the word list, with "van der Berg" and "de Vries" rejoined."""
    names: list[str] = []
    pending: list[str] = []
    for word in words:
        if word in NAME_PARTICLES:
            pending.append(word)
            continue
        names.append(" ".join([*pending, word]))
        pending = []
    return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Author:
    family: str
    given: str
    middle: str = ""  # a middle initial
    orcid: str = ""

    @property
    def full(self) -> str:
        """The FAU form: ``Family, Given M``."""
        return f"{self.family}, {self.given}" + (f" {self.middle}" if self.middle else "")

    @property
    def short(self) -> str:
        """The AU form: ``Family GM`` (``Ji-Hoon`` gives ``JH``)."""
        return f"{self.family} {''.join(p[0] for p in self.given.split('-'))}{self.middle}"


@dataclass(frozen=True)
class Journal:
    title: str
    abbreviation: str
    issn_print: str
    issn_electronic: str
    nlm_id: str
    country: str
    doi_prefix: str


def _check_digit(digits: Sequence[int]) -> str:
    remainder = (11 - sum((8 - n) * d for n, d in enumerate(digits)) % 11) % 11
    return "X" if remainder == 10 else str(remainder)


def _issn(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(7)]
    text = "".join(map(str, digits)) + _check_digit(digits)
    return f"{text[:4]}-{text[4:]}"


# Journal title words → their ISO 4 abbreviations (the rest are kept whole).
ABBREVIATIONS = {
    "Medicine": "Med",
    "Research": "Res",
    "Diseases": "Dis",
    "Biology": "Biol",
    "Health": "Health",
    "Care": "Care",
    "Infectious": "Infect",
    "Public": "Public",
    "Sports": "Sports",
    "Reproductive": "Reprod",
    "Critical": "Crit",
    "Molecular": "Mol",
    "Cell": "Cell",
    "Nutrition": "Nutr",
    "Nursing": "Nurs",
    "Dentistry": "Dent",
    "Surgery": "Surg",
    "Pediatrics": "Pediatr",
    "Neuroscience": "Neurosci",
    "Biomaterials": "Biomater",
    "Bioinformatics": "Bioinformatics",
    "Orthopedics": "Orthop",
}


def _abbreviate(field: str) -> str:
    words = field.split()
    return " ".join(
        ABBREVIATIONS.get(w, w[:-3] if w.endswith("ology") else w[:6].rstrip("aeiou"))
        for w in words
    )


def _journals(rng: random.Random) -> list[Journal]:
    journals = []
    for field, (title_form, abbreviation_form) in itertools.product(JOURNAL_FIELDS, JOURNAL_FORMS):
        field = field.replace("_", " ")
        city, country = rng.choice(CITIES).split(",")
        journals.append(
            Journal(
                title=title_form.format(f=field),
                abbreviation=abbreviation_form.format(a=_abbreviate(field)),
                issn_print=_issn(rng),
                issn_electronic=_issn(rng),
                nlm_id=str(rng.randint(100_000, 101_999_999)),
                country=country.replace("_", " "),
                doi_prefix=f"10.{rng.randint(1000, 9999)}",
            )
        )
    rng.shuffle(journals)
    return journals


def _authors(rng: random.Random, count: int) -> list[Author]:
    families = Pool(_join_particles(FAMILY_NAMES), rng, exponent=0.8, offset=20)
    givens = Pool(GIVEN_NAMES, rng, exponent=0.6, offset=20)
    found: dict[tuple[str, str], Author] = {}
    while len(found) < count:
        family, given = families.pick(rng), givens.pick(rng)
        middle = rng.choice(GENE_LETTERS) if rng.random() < 0.4 else ""
        orcid = (
            "-".join(f"{rng.randrange(10_000):04d}" for _ in range(4)) if rng.random() < 0.3 else ""
        )
        found.setdefault((family, given + middle), Author(family, given, middle, orcid))
    authors = list(found.values())
    rng.shuffle(authors)
    return authors


def _affiliations(rng: random.Random, count: int) -> list[str]:
    found: dict[str, None] = {}
    while len(found) < count:
        city, country = (part.replace("_", " ") for part in rng.choice(CITIES).split(","))
        institution = rng.choice(INSTITUTION_FORMS).format(city=city)
        department = rng.choice(DEPARTMENTS).replace("_", " ")
        found[f"Department of {department}, {institution}, {city}, {country}."] = None
    return list(found)


def _mesh_headings(rng: random.Random, tail: Sequence[str], count: int) -> list[str]:
    """The real descriptors first (the common ones), then made-up ones in MeSH's forms."""
    found = dict.fromkeys(d.replace("_", " ") for d in MESH_DESCRIPTORS)
    while len(found) < count:
        word = rng.choice(tail)
        found[rng.choice(MESH_SERIES).format(W=word[0].upper() + word[1:])] = None
    return list(found)


class Vocabulary:
    """Every pool the records draw from; the same seed gives the same pools."""

    def __init__(self, seed: int = DEFAULT_SEED, tail_words: int = 40_000):
        rng = random.Random(seed)
        tail = _tail_words(rng, tail_words)
        content = list(dict.fromkeys(DOMAIN_WORDS)) + tail
        self.words = Pool(list(dict.fromkeys(COMMON_WORDS)) + content, rng, exponent=1.1)
        self.text = TextSource(self.words, rng)
        self.content = Pool(content, rng, exponent=1.0, offset=10)
        self.authors = Pool(_authors(rng, 60_000), rng, exponent=0.9, offset=20)
        self.affiliations = Pool(_affiliations(rng, 4_000), rng, exponent=0.9, offset=10)
        self.journals = Pool(_journals(rng), rng, exponent=1.0, offset=10)
        self.mesh = Pool(_mesh_headings(rng, tail, 8_000), rng, exponent=1.0, offset=3)
        self.qualifiers = Pool([q.replace("_", " ") for q in MESH_QUALIFIERS], rng, exponent=0.8)

    def phrase(self, rng: random.Random, low: int, high: int) -> str:
        return " ".join(self.text.words(rng, rng.randint(low, high)))

    def queries(self, count: int = 50, seed: int = DEFAULT_SEED) -> list[str]:
        """Search-box queries a user might type: words, prefixes, pairs, authors, years."""
        rng = random.Random(seed + 2)
        makers = itertools.cycle(
            (
                self._word_query,
                self._prefix_query,
                self._author_query,
                self._pair_query,
                self._word_query,
                self._year_query,
                self._author_query,
                self._rare_word_query,
            )
        )
        return [next(makers)(rng) for _ in range(count)]

    def field_queries(self, count: int = 30, seed: int = DEFAULT_SEED) -> list[str]:
        """Queries in PubMed's syntax, as PubMed users type or paste them: field tags
        (authors in PubMed's forms, MeSH headings, major topics and subheadings, journals,
        title and abstract words, publication types, affiliations, date ranges), operators,
        parentheses, phrases and truncation."""
        rng = random.Random(seed + 3)
        makers = itertools.cycle(
            (
                lambda r: f"{self.authors.pick(r).short}[au]",
                lambda r: f"{self.mesh.pick(r)}[mh]",
                lambda r: f"{self.content.pick(r)}[tiab]",
                lambda r: f"{self.journals.pick(r).abbreviation}[ta]",
                lambda r: f"{self.qualifiers.pick(r)}[sh]",
                self._pubmed_box_query,
                lambda r: f"{self._family_initial(r)}[au] AND {_year(r)}:2024[dp]",
                lambda r: f"{self.mesh.pick(r)}[majr]",
                lambda r: f"{self.content.pick(r)}[ti] AND review[pt]",
                lambda r: f'"{self.phrase(r, 2, 2)}"',
                lambda r: f"{self.authors.pick(r).short}[1au]",
                lambda r: f"{self.content.pick(r)[:4]}*[tiab] NOT {self.mesh.pick(r)}[mh]",
                lambda r: f"{self._city(r)}[ad]",
                lambda r: f"{self.mesh.pick(r)}[mh] AND english[la]",
                lambda r: f"{_year(r)}/{r.randint(1, 12):02d}[dp] AND {self.content.pick(r)}",
            )
        )
        return [next(makers)(rng) for _ in range(count)]

    def _pubmed_box_query(self, rng: random.Random) -> str:
        """As PubMed's search box holds a query after Search details: quoted, tagged, nested."""
        year = _year(rng)
        return (
            f'("{self.mesh.pick(rng)}"[MeSH Terms] OR {self.content.pick(rng)}[Title/Abstract])'
            f' AND {year}:{year + 4}[dp] NOT review[pt]'
        )

    def _family_initial(self, rng: random.Random) -> str:
        author = self.authors.pick(rng)
        return f"{author.family} {author.given[0]}"

    def _city(self, rng: random.Random) -> str:
        return rng.choice(CITIES).split(",")[0].replace("_", " ")

    def _word_query(self, rng: random.Random) -> str:
        return self.content.pick(rng)

    def _rare_word_query(self, rng: random.Random) -> str:
        return rng.choice(self.content.values[: len(self.content.values) // 4])

    def _prefix_query(self, rng: random.Random) -> str:
        word = self.content.pick(rng)
        return word[: max(3, min(len(word) - 1, rng.randint(3, 6)))]

    def _pair_query(self, rng: random.Random) -> str:
        return f"{self.content.pick(rng)} {self.content.pick(rng)}"

    def _author_query(self, rng: random.Random) -> str:
        author = self.authors.pick(rng)
        return author.family if rng.random() < 0.7 else f"{author.family} {author.given}"

    def _year_query(self, rng: random.Random) -> str:
        return str(_year(rng))


# --- records ----------------------------------------------------------------------------------


def _year(rng: random.Random) -> int:
    """Publication years: most recent, a long tail back to 1965 (as PubMed itself)."""
    return max(1965, 2024 - int(rng.expovariate(1 / 9)))


def _pub_date(rng: random.Random, year: int) -> tuple[str, int, int]:
    """DP as PubMed prints it, with the month and day used for the other dates."""
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    form = draw(rng, _DATE_FORMS)
    return form(year, month, day), month, day


_DATE_FORMS = _urn(
    (
        (lambda y, m, d: f"{y} {MONTHS[m - 1]} {d}", 34),
        (lambda y, m, d: f"{y} {MONTHS[m - 1]}", 42),
        (lambda y, m, d: f"{y}", 10),
        (lambda y, m, d: f"{y} {MONTHS[m - 1]}-{MONTHS[m % 12]}", 7),
        (lambda y, m, d: f"{y} {SEASONS[(m - 1) // 3]}", 3),
        (lambda y, m, d: f"{y} {MONTHS[m - 1]} {d}-{min(d + 7, 31)}", 2),
        (lambda y, m, d: f"{y} {m:02d} {d:02d}", 1),
        (lambda y, m, d: f"{MONTHS[m - 1]} {y}", 1),
    )
)
_TYPES = _urn(PUBLICATION_TYPES)
_LANGS = _urn(LANGUAGES)
_STATUS = _urn(STATUS)
_AFFILIATION_COUNTS = _urn(((0, 5), (1, 85), (2, 10)))
_QUALIFIER_COUNTS = _urn(((0, 45), (1, 35), (2, 15), (3, 5)))
# Authors per record, 1 to 15: the middle common, as in PubMed since 2010.
_AUTHOR_COUNTS = _urn(
    tuple(zip(range(1, 16), (6, 8, 10, 11, 11, 10, 9, 8, 6, 5, 4, 4, 3, 3, 2), strict=True))
)


def _numbers(rng: random.Random) -> str:
    """A statistical aside, as results sentences carry them."""
    forms = (
        lambda: f"(n = {rng.randint(12, 4000)})",
        lambda: f"(P < 0.{rng.choice(('05', '01', '001'))})",
        lambda: f"(OR {rng.uniform(0.2, 4):.2f}; 95% CI {rng.uniform(1, 6):.1f})",
        lambda: f"{rng.uniform(1, 99):.1f}%",
        lambda: f"(HR = {rng.uniform(0.3, 3):.2f}, P = 0.{rng.randint(1, 49):03d})",
    )
    return rng.choice(forms)()


def _sentence(vocab: Vocabulary, rng: random.Random) -> str:
    words = vocab.text.words(rng, rng.randint(10, 30))
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), _numbers(rng))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _abstract(vocab: Vocabulary, rng: random.Random) -> str:
    if rng.random() < 0.4:  # structured, with PubMed's inline labels
        labels = STRUCTURE if rng.random() < 0.5 else STRUCTURE[:1] + STRUCTURE[2:]
        parts = [
            f"{label}: " + " ".join(_sentence(vocab, rng) for _ in range(rng.randint(1, 3)))
            for label in labels
        ]
    else:
        parts = [_sentence(vocab, rng) for _ in range(rng.randint(4, 11))]
    return " ".join(parts)


def _title(vocab: Vocabulary, rng: random.Random, language: str) -> str:
    text = vocab.phrase(rng, 6, 18)
    if rng.random() < 0.2:
        text += ": " + vocab.phrase(rng, 3, 8)
    text = text[0].upper() + text[1:] + "."
    return f"[{text}]" if language != "eng" else text


def _pages(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return f"e{rng.randint(1000, 99999)}"
    first = rng.randint(1, 2400)
    last = str(first + rng.randint(0, 14))
    common = len(os.path.commonprefix([str(first), last])) if len(last) == len(str(first)) else 0
    return f"{first}-{last[common:] or last}"


def _author_lines(vocab: Vocabulary, rng: random.Random) -> list[tuple[str, str]]:
    count = draw(rng, _AUTHOR_COUNTS)
    pairs: list[tuple[str, str]] = []
    for author in vocab.authors.distinct(rng, count):
        pairs += [("FAU", author.full), ("AU", author.short)]
        if author.orcid:
            pairs.append(("AUID", f"ORCID: {author.orcid}"))
        for _ in range(draw(rng, _AFFILIATION_COUNTS)):
            pairs.append(("AD", vocab.affiliations.pick(rng)))
    if count < 15 and rng.random() < 0.03:  # a group author counts among the 15
        pairs.append(("CN", f"{vocab.content.pick(rng).capitalize()} Study Group"))
    return pairs


def _mesh_lines(vocab: Vocabulary, rng: random.Random) -> list[tuple[str, str]]:
    pairs = []
    for heading in vocab.mesh.distinct(rng, rng.randint(3, 15)):
        qualifiers = vocab.qualifiers.distinct(rng, draw(rng, _QUALIFIER_COUNTS))
        starred = [("*" if rng.random() < 0.25 else "") + q for q in qualifiers]
        major = "*" if not qualifiers and rng.random() < 0.2 else ""
        pairs.append(("MH", "/".join([major + heading, *starred])))
    return pairs


def _keyword_lines(vocab: Vocabulary, rng: random.Random) -> list[tuple[str, str]]:
    if rng.random() < 0.4:
        return []
    count = rng.randint(3, 8)
    words = [" ".join(vocab.content.sample(rng, rng.choice((1, 1, 2, 2, 3)))) for _ in range(count)]
    return [("OTO", "NOTNLM"), *(("OT", w) for w in dict.fromkeys(words))]


def _stamp(year: int, month: int, day: int, hour: str = "00:00") -> str:
    return f"{year}/{month:02d}/{day:02d} {hour}"


@dataclass(frozen=True)
class _Facts:
    """What several tags of one record repeat: ids, journal, issue and dates."""

    pmid: str
    journal: Journal
    year: int
    month: int
    day: int
    date: str
    language: str
    status: str
    volume: str
    issue: str
    pages: str
    doi: str


def _facts(vocab: Vocabulary, rng: random.Random, index: int) -> _Facts:
    journal: Journal = vocab.journals.pick(rng)
    year = _year(rng)
    date, month, day = _pub_date(rng, year)
    suffix = f"{journal.abbreviation.replace(' ', '').lower()}.{year}.{index}"
    return _Facts(
        pmid=str(FIRST_PMID + index * 8 + rng.randrange(8)),
        journal=journal,
        year=year,
        month=month,
        day=day,
        date=date,
        language=draw(rng, _LANGS),
        status=draw(rng, _STATUS),
        volume=str(rng.randint(1, 400)),
        issue=str(rng.randint(1, 12)) if rng.random() < 0.9 else f"Suppl {rng.randint(1, 3)}",
        pages=_pages(rng),
        doi=f"{journal.doi_prefix}/{suffix}" if rng.random() < 0.88 else "",
    )


def _head_pairs(vocab: Vocabulary, rng: random.Random, f: _Facts) -> list[tuple[str, str]]:
    pairs = [("PMID", f.pmid), ("OWN", "NLM"), ("STAT", f.status)]
    if f.status == "MEDLINE":
        pairs.append(("DCOM", f"{f.year + 1}{f.month:02d}{f.day:02d}"))
    pairs += [
        ("LR", f"{min(f.year + rng.randint(1, 4), 2025)}{f.month:02d}{f.day:02d}"),
        ("IS", f"{f.journal.issn_electronic} (Electronic)"),
        ("IS", f"{f.journal.issn_print} (Linking)"),
        ("VI", f.volume),
        ("IP", f.issue),
        ("DP", f.date),
        ("TI", _title(vocab, rng, f.language)),
        ("PG", f.pages),
    ]
    if f.doi:
        pairs.append(("LID", f"{f.doi} [doi]"))
    if rng.random() < 0.92:
        pairs.append(("AB", _abstract(vocab, rng)))
    if rng.random() < 0.25:
        pairs.append(("CI", f"Copyright © {f.year} {vocab.content.pick(rng).capitalize()} Inc."))
    return pairs


def _middle_pairs(rng: random.Random, f: _Facts) -> list[tuple[str, str]]:
    pairs = [("LA", f.language)]
    if rng.random() < 0.2:
        grant = f"R01 {rng.choice(('CA', 'HL', 'AI', 'NS', 'DK'))}{rng.randint(10000, 999999)}"
        pairs.append(("GR", f"{grant}/NIH HHS/United States"))
    kinds = draw(rng, _TYPES)
    pairs += [("PT", kind) for kind in kinds]
    if rng.random() < 0.5:
        pairs.append(("DEP", f"{f.year}{f.month:02d}{f.day:02d}"))
    journal = f.journal
    pairs += [
        ("PL", journal.country),
        ("TA", journal.abbreviation),
        ("JT", journal.title),
        ("JID", journal.nlm_id),
    ]
    if rng.random() < 0.3:
        pairs.append(("RN", "0 (Biomarkers)"))
    pairs.append(("SB", "IM"))
    return pairs


def _history_pairs(rng: random.Random, f: _Facts) -> list[tuple[str, str]]:
    stamp = _stamp(f.year, f.month, f.day, "06:00")
    pairs = []
    if rng.random() < 0.3:
        pairs.append(("PMC", f"PMC{rng.randint(1_000_000, 11_000_000)}"))
    if rng.random() < 0.3:
        pairs.append(("COIS", "The authors declare no conflicts of interest."))
    pairs += [("EDAT", stamp), ("MHDA", _stamp(f.year + 1, f.month, f.day, "06:00"))]
    pairs += [("CRDT", _stamp(f.year, f.month, f.day, "05:31"))]
    for label in ("received", "accepted"):
        pairs.append(("PHST", f"{_stamp(f.year - 1, f.month, f.day)} [{label}]"))
    pairs += [("PHST", f"{stamp} [pubmed]"), ("PHST", f"{stamp} [entrez]")]
    if f.doi:
        pairs.append(("AID", f"{f.doi} [doi]"))
    pairs.append(("PST", "ppublish"))
    source = f"{f.journal.abbreviation}. {f.date};{f.volume}({f.issue}):{f.pages}."
    pairs.append(("SO", source + (f" doi: {f.doi}." if f.doi else "")))
    return pairs


def record_pairs(vocab: Vocabulary, rng: random.Random, index: int) -> list[tuple[str, str]]:
    """One record's (tag, value) pairs in PubMed's order."""
    facts = _facts(vocab, rng, index)
    return (
        _head_pairs(vocab, rng, facts)
        + _author_lines(vocab, rng)
        + _middle_pairs(rng, facts)
        + _mesh_lines(vocab, rng)
        + _keyword_lines(vocab, rng)
        + _history_pairs(rng, facts)
    )


@functools.cache
def _head(tag: str) -> str:
    return f"{tag:<4}- "


def wrapped(tag: str, value: str) -> str:
    """``TAG - value`` wrapped as PubMed does: 88 columns, trailing space, 6-space indent."""
    room = WRAP - len(INDENT)
    if len(value) <= room:
        return _head(tag) + value
    lines = []
    while len(value) > room:
        cut = value.rfind(" ", 0, room + 1)
        if cut <= 0:  # one word longer than a line: PubMed does not break it
            cut = value.find(" ", room)
            if cut < 0:
                break
        lines.append(value[: cut + 1])
        value = value[cut + 1 :]
    lines.append(value)
    return _head(tag) + ("\n" + INDENT).join(lines)


def records(count: int, seed: int = DEFAULT_SEED, vocab: Vocabulary | None = None) -> Iterator[str]:
    """The text of ``count`` records, each with its trailing newline."""
    vocab = vocab or Vocabulary(seed)
    rng = random.Random(seed + 1)
    for index in range(count):
        yield (
            "\n".join(wrapped(tag, value) for tag, value in record_pairs(vocab, rng, index)) + "\n"
        )


def write_medline(
    path: str | os.PathLike, count: int, seed: int = DEFAULT_SEED, vocab: Vocabulary | None = None
) -> int:
    """Write ``count`` records to ``path`` as a PubMed export does; the file's size in bytes."""
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for text in records(count, seed, vocab):
            out.write("\n" + text)  # PubMed puts a blank line before each record
    return Path(path).stat().st_size
