//! A generated content folder for the benches: many realistic articles, the same every run.
//!
//! Articles use the real topics, specialties, notices and synonyms of content/, valid front
//! matter, and 500 to 800 word bodies of `##` headings, paragraphs and lists. Words come from
//! a seeded PRNG over a vocabulary with a Zipf-like distribution (a few words in nearly
//! every article, a long tail in few), plus one condition name per article that only a
//! handful of articles share: real libraries have both kinds of word, and search cost
//! depends on how many articles a word is in.
//!
//! Two mixes of languages ([`Mix`]): the mostly English library of issue #2, and the
//! bilingual one of issue #14, where every English article has its Spanish translation.
//!
//! Shared by benches/search.rs and benches/percentiles.rs; not every item is used by both.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use clinic_kiosk::content;
use clinic_kiosk::library::{self, Library};

/// The library size the issue asks about.
pub const ARTICLES: usize = 10_000;
/// One in this many articles is in Spanish ([`Mix::MostlyEnglish`]).
const SPANISH_EVERY: usize = 7;

/// Which languages a generated library is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mix {
    /// Issue #2's library: every 7th article in Spanish, two thirds of those translating an
    /// English one. The same files as before issue #14, so its figures still compare.
    MostlyEnglish,
    /// Issue #14's library, as content/ now ships: every English article is followed by its
    /// Spanish translation (same condition and topic), so half the articles are in each
    /// language.
    Paired,
}
/// Seed of the PRNG: change it and every figure changes.
const SEED: u64 = 0x5_EEDC_111C;

/// The real content folder, whose topics, notices and synonyms the generated one reuses.
pub fn real_content_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

/// SplitMix64: tiny, fast, and the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// [`Self::pick`] for word lists.
    pub fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
}

/// Zipf-Mandelbrot ranks: rank `r` has weight `1 / (r + q)^s`.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64, q: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|r| {
                total += 1.0 / (r as f64 + q).powf(s);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().expect("a non-empty vocabulary");
        let x = rng.unit() * total;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.cumulative.len() - 1)
    }
}

/// English words in rough order of frequency in patient leaflets. Function words (mostly
/// stop words) interleave with the words a health library uses all the time.
const EN_WORDS: &str = "
the you to and a pain of your is can in it or for doctor be may this with that are on
care if not have as will at help do some most people back more after about but by they
from treatment what when time get feel how an make often which one other also body
there their so day than use need days all weeks talk take up into these over new out
like much well many very who less nerve spine neck leg legs arm arms head disc discs vein
veins hair skin scan test tests surgery surgeon clinic visit team health medicine
symptoms blood muscle muscles bone bones joint joints walk sleep rest heat ice move
movement sit stand lift bend exercise exercises therapy physical home work better worse
sore stiff swollen swelling numb numbness tingling weak weakness sharp dull ache aches
hurt hurts burning feeling side lower upper left right both each small large short long
first next last few several whole part area spot place cause causes reason problem
problems risk risks benefit benefits result results change changes sign signs way ways
week month months year years hour hours minute minutes morning night today soon later
again still already never always sometimes usually often quickly slowly gently safely
check ask call tell show find keep stop start try plan bring wear eat drink drive read
write nurse staff room desk form forms list card phone number name date insurance
appointment follow questions answers reasons choice choices option options step steps
stage normal common rare mild severe serious sudden slow fast high low warm cold dry wet
heavy light soft hard tight loose pressure shot shots injection injections pill pills
dose doses cream needle needles tube bandage stitches wound scar scars healing heal heals
recovery recover return activity activities sport sports job school family friend
friends child children adult adults older younger woman women man men age weight
healthy active tired sick fever infection bleeding bruise bruising redness itching rash
knee knees hip hips foot feet hand hands finger fingers shoulder shoulders wrist elbow
ankle toe toes face eye eyes ear ears nose mouth jaw chest belly stomach heart lungs
brain memory mood stress worry calm breathe breathing water salt sugar food meal meals
coffee alcohol smoking habit habits posture chair bed pillow mattress shoe shoes socks
stockings brace collar belt support massage stretch stretches strength balance fall
falls injury injuries accident crash blow bump hit twist strain sprain tear tears
pinched bulging herniated worn narrow narrowing canal cord root roots joint nerves
signal signals image images picture pictures magnet contrast dye metal implant
";

/// Spanish words, ordered the same way, with accents so folding is exercised.
const ES_WORDS: &str = "
de la que el en y a los se del las un por con no una su para es al lo como más
dolor usted médico puede o pero sus le ya este sí porque esta entre cuando muy sin
sobre también me hasta hay donde quien desde todo nos durante todos uno les ni contra
otros ese eso ante ellos e esto mí antes algunos qué unos yo otro otras otra él tanto
esa estos mucho quienes nada muchos cual poco ella estar estas algunas algo nosotros
espalda cuello pierna piernas brazo brazos cabeza disco discos vena venas cabello piel
estudio prueba pruebas cirugía cirujano clínica visita equipo salud medicina síntomas
sangre músculo músculos hueso huesos articulación caminar dormir descanso calor hielo
moverse sentarse levantar ejercicio ejercicios terapia casa trabajo mejor peor
adolorido rígido hinchado hinchazón adormecimiento hormigueo débil debilidad agudo
sensación lado parte zona causa causas razón problema problemas riesgo riesgos
beneficio resultado resultados cambio cambios señal señales semana semanas mes meses
año años hora horas minuto minutos mañana noche hoy pronto después siempre nunca
llamar preguntar decir mostrar buscar seguir empezar traer usar comer beber manejar
enfermera personal sala formulario lista tarjeta teléfono número nombre fecha seguro
cita preguntas respuestas opción opciones paso pasos normal común raro leve grave
repentino lento rápido alto bajo tibio frío seco pesado suave duro presión inyección
inyecciones pastilla pastillas dosis crema aguja agujas vendaje puntos herida
cicatriz curación recuperación actividad actividades deporte escuela familia amigos
niño niños adulto adultos mujer mujeres hombre hombres edad peso sano activo cansado
fiebre infección sangrado moretón enrojecimiento picazón rodilla rodillas cadera pie
pies mano manos dedo dedos hombro hombros muñeca codo tobillo cara ojo ojos oído nariz
boca pecho estómago corazón pulmones cerebro memoria ánimo estrés respirar agua sal
azúcar comida café alcohol fumar postura silla cama almohada zapatos medias faja
apoyo masaje estirar fuerza equilibrio caída golpe lesión accidente choque nervio
nervios columna canal raíz imagen imágenes imán contraste tinte metal implante
";

/// Question headings; `{c}` is the article's condition.
const EN_HEADINGS: &[&str] = &[
    "What is {c}?",
    "What causes {c}?",
    "Why does it hurt?",
    "How will my doctor find out if I have it?",
    "How is {c} treated?",
    "When is surgery an option?",
    "What happens during the visit?",
    "How should I get ready?",
    "What results can I expect?",
    "How long does recovery take?",
    "What can I do at home?",
    "What are the risks?",
    "Who may not be a good candidate?",
    "When should I call the clinic?",
    "When should I go to the emergency room?",
];

const ES_HEADINGS: &[&str] = &[
    "¿Qué es {c}?",
    "¿Qué causa {c}?",
    "¿Por qué duele?",
    "¿Cómo sabrá mi médico si lo tengo?",
    "¿Cómo se trata {c}?",
    "¿Cuándo es una opción la cirugía?",
    "¿Qué pasa durante la visita?",
    "¿Cómo me preparo?",
    "¿Qué resultados puedo esperar?",
    "¿Cuánto dura la recuperación?",
    "¿Qué puedo hacer en casa?",
    "¿Cuáles son los riesgos?",
    "¿Cuándo debo llamar a la clínica?",
    "¿Cuándo debo ir a urgencias?",
];

const EN_TITLES: &[&str] = &[
    "{C}",
    "{C}: what to expect",
    "{C}: causes and treatment",
    "Living with {c}",
    "Recovery after {c} treatment",
    "Questions about {c}",
];

const ES_TITLES: &[&str] = &[
    "{C}",
    "{C}: qué esperar",
    "{C}: causas y tratamiento",
    "Vivir con {c}",
    "Recuperación después del tratamiento de {c}",
];

const ROOTS: &[&str] = &[
    "spondyl", "neur", "phleb", "my", "arthr", "oste", "derm", "cardi", "gastr", "radic",
    "encephal", "cerv", "lumb", "thorac", "fasc", "tend", "burs", "chondr", "angi", "ven",
    "capill", "trich", "kerat", "sclero", "cephal", "disc", "lamin", "foramin", "myel", "plex",
];
const EN_SUFFIXES: &[&str] = &[
    "itis", "osis", "algia", "opathy", "ectomy", "oplasty", "otomy", "oma", "odynia", "ism",
];
const ES_SUFFIXES: &[&str] = &[
    "itis", "osis", "algia", "opatía", "ectomía", "oplastia", "otomía", "oma", "odinia", "ismo",
];
const ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "br", "cl", "cr", "dr", "fl",
    "gr", "pl", "pr", "st", "tr", "th", "sh", "ch", "",
];
const EN_VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ea", "ai", "ou", "y"];
const ES_VOWELS: &[&str] = &["a", "e", "i", "o", "u", "á", "é", "ó", "ia", "ue"];
const CODAS: &[&str] = &["", "", "", "n", "r", "l", "s", "t", "m", "nd", "st"];

/// One language's word supply.
struct Tongue {
    code: &'static str,
    vocabulary: Vec<String>,
    zipf: Zipf,
    /// Condition names: each is the subject of only a few articles.
    conditions: Vec<String>,
    /// Clinical phrases from synonyms.toml, so everyday-phrase queries have something to find.
    phrases: Vec<String>,
    headings: &'static [&'static str],
    titles: &'static [&'static str],
    reviewers: &'static [&'static str],
}

impl Tongue {
    fn new(code: &'static str, rng: &mut Rng, synonyms: &content::Synonyms) -> Self {
        let (real, vowels, suffixes) = match code {
            "es" => (ES_WORDS, ES_VOWELS, ES_SUFFIXES),
            _ => (EN_WORDS, EN_VOWELS, EN_SUFFIXES),
        };
        let mut seen = HashSet::new();
        let mut vocabulary: Vec<String> = real
            .split_whitespace()
            .filter(|w| seen.insert(w.to_string()))
            .map(str::to_string)
            .collect();
        // The long tail: pronounceable made-up words of 1 to 3 syllables.
        while vocabulary.len() < 4_000 {
            let syllables = rng.between(1, 3);
            let mut w = String::new();
            for _ in 0..syllables {
                w.push_str(rng.pick_str(ONSETS));
                w.push_str(rng.pick_str(vowels));
            }
            w.push_str(rng.pick_str(CODAS));
            if w.chars().count() >= 4 && seen.insert(w.clone()) {
                vocabulary.push(w);
            }
        }
        let mut conditions = Vec::new();
        while conditions.len() < 3_000 {
            let mut w = String::from(rng.pick_str(ROOTS));
            w.push('o');
            w.push_str(rng.pick_str(ONSETS));
            w.push_str(rng.pick_str(vowels));
            w.push_str(rng.pick_str(&["l", "r", "n", "v", "m", "d", "t"]));
            w.push_str(rng.pick_str(suffixes));
            if seen.insert(w.clone()) {
                conditions.push(w);
            }
        }
        let phrases = synonyms
            .get(code)
            .map(|table| {
                let set: std::collections::BTreeSet<&String> = table.values().flatten().collect();
                set.into_iter().cloned().collect()
            })
            .unwrap_or_default();
        let zipf = Zipf::new(vocabulary.len(), 1.0, 2.7);
        let (headings, titles, reviewers): (_, _, &'static [&'static str]) = match code {
            "es" => (
                ES_HEADINGS,
                ES_TITLES,
                &[
                    "Cirujano de columna certificado",
                    "Especialista en venas certificado",
                    "Neurólogo certificado",
                    "Dermatólogo certificado",
                ],
            ),
            _ => (
                EN_HEADINGS,
                EN_TITLES,
                &[
                    "Board-certified spine surgeon",
                    "Board-certified vein specialist",
                    "Board-certified neurologist",
                    "Board-certified dermatologist",
                    "Clinic nurse manager",
                ],
            ),
        };
        Tongue {
            code,
            vocabulary,
            zipf,
            conditions,
            phrases,
            headings,
            titles,
            reviewers,
        }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        &self.vocabulary[self.zipf.sample(rng)]
    }

    /// A sentence of `lo..=hi` words, capitalized, ending in `end`; returns its word count.
    fn sentence(
        &self,
        rng: &mut Rng,
        cond: &str,
        lo: usize,
        hi: usize,
        end: &str,
        out: &mut String,
    ) -> usize {
        let n = rng.between(lo, hi);
        let start = out.len();
        let mut count = 0;
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            if i > 0 && rng.chance(0.03) && !self.phrases.is_empty() {
                let p = rng.pick(&self.phrases);
                out.push_str(p);
                count += p.split_whitespace().count();
            } else if rng.chance(0.02) {
                out.push_str(cond);
                count += 1;
            } else if i > 0 && rng.chance(0.01) {
                out.push_str("**");
                out.push_str(self.word(rng));
                out.push_str("**");
                count += 1;
            } else {
                out.push_str(self.word(rng));
                count += 1;
            }
        }
        capitalize_at(out, start);
        out.push_str(end);
        count
    }
}

/// Upper-cases the first letter at or after byte `at`.
fn capitalize_at(s: &mut String, at: usize) {
    let Some((i, c)) = s[at..].char_indices().find(|(_, c)| c.is_alphabetic()) else {
        return;
    };
    let upper: String = c.to_uppercase().collect();
    s.replace_range(at + i..at + i + c.len_utf8(), &upper);
}

fn fill(template: &str, cond: &str) -> String {
    let mut capital = cond.to_string();
    capitalize_at(&mut capital, 0);
    template.replace("{C}", &capital).replace("{c}", cond)
}

/// ASCII slug words from text that may have accents.
fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'á' | 'à' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// One planned article, before its body is written.
struct Plan {
    slug: String,
    title: String,
    lang: &'static str,
    condition: String,
    topic: usize,
    /// The English article this one translates.
    translation_of: Option<usize>,
}

/// Which words the generated library holds, for choosing queries and reporting them.
#[derive(Debug, Clone)]
pub struct Generated {
    pub articles: usize,
    pub english: usize,
    pub spanish: usize,
    pub bytes: u64,
    /// A condition name found in very few English articles.
    pub rare_word: String,
    /// How many English articles each query word is in (by surface form).
    pub document_frequency: BTreeMap<String, usize>,
    /// The same two for the Spanish articles.
    pub rare_word_es: String,
    pub document_frequency_es: BTreeMap<String, usize>,
}

impl Generated {
    /// How many articles in `lang` each word is in.
    pub fn document_frequency(&self, lang: &str) -> &BTreeMap<String, usize> {
        if lang == "es" {
            &self.document_frequency_es
        } else {
            &self.document_frequency
        }
    }
}

/// The condition with the fewest articles, at least two, or `fallback`.
fn rarest(conditions: &[String], df: &HashMap<String, usize>, fallback: &str) -> String {
    conditions
        .iter()
        .filter_map(|c| df.get(c).map(|&n| (n, c)))
        .filter(|&(n, _)| n >= 2)
        .min()
        .map(|(_, c)| c.clone())
        .unwrap_or_else(|| fallback.to_string())
}

/// Writes a content folder of `count` generated articles in the languages of `mix` into
/// `dir` (which must exist and be empty). The same `count` and `mix` always give the same
/// files.
pub fn generate(dir: &Path, count: usize, mix: Mix) -> Generated {
    let real = real_content_dir();
    for name in ["topics.toml", "notices.toml", "synonyms.toml"] {
        fs::copy(real.join(name), dir.join(name)).expect("copy a content file");
    }
    let (real_content, diags) = content::load(&real);
    assert!(!diags.has_errors(), "the real content folder has errors");
    let topics: Vec<String> = real_content.topics.iter().map(|t| t.slug.clone()).collect();
    // Each topic's specialty: the one its real articles use most.
    let specialty_of: Vec<String> = topics
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for a in &real_content.articles {
                if a.meta.topics.first() == Some(t) {
                    *counts.entry(a.meta.specialty.as_str()).or_default() += 1;
                }
            }
            counts
                .into_iter()
                .max_by_key(|&(_, n)| n)
                .map(|(s, _)| s.to_string())
                .unwrap_or_else(|| {
                    real_content.specialties[i % real_content.specialties.len()]
                        .slug
                        .clone()
                })
        })
        .collect();

    let mut rng = Rng::new(SEED);
    let en = Tongue::new("en", &mut rng, &real_content.synonyms);
    let es = Tongue::new("es", &mut rng, &real_content.synonyms);

    // Plan every article first, so `related` and `translation_of` can point forward.
    let mut plans: Vec<Plan> = Vec::with_capacity(count);
    let mut used = HashSet::new();
    // Index of each article's condition in its language's list.
    let mut condition_index = Vec::with_capacity(count);
    for i in 0..count {
        let translating = mix == Mix::Paired && i % 2 == 1;
        let spanish = match mix {
            Mix::MostlyEnglish => i % SPANISH_EVERY == SPANISH_EVERY - 1,
            Mix::Paired => translating,
        };
        let tongue = if spanish { &es } else { &en };
        // Conditions repeat across a few articles, like a real library's related pieces.
        // A translation is about its original's condition, named the Spanish way.
        let c = if translating {
            condition_index[i - 1]
        } else {
            rng.below(tongue.conditions.len())
        };
        condition_index.push(c);
        let condition = tongue.conditions[c].clone();
        let title = fill(rng.pick_str(tongue.titles), &condition);
        let mut slug = slugify(&title);
        if !used.insert(slug.clone()) {
            slug = format!("{slug}-{i}");
            used.insert(slug.clone());
        }
        let topic = if translating {
            plans[i - 1].topic
        } else {
            rng.below(topics.len())
        };
        plans.push(Plan {
            slug,
            title,
            lang: tongue.code,
            condition,
            topic,
            translation_of: translating.then(|| i - 1),
        });
    }
    let english: Vec<usize> = (0..count).filter(|&i| plans[i].lang == "en").collect();
    let spanish: Vec<usize> = (0..count).filter(|&i| plans[i].lang == "es").collect();
    if mix == Mix::MostlyEnglish {
        // Most Spanish articles translate an English one; each English one has at most one.
        for &i in &spanish {
            let spanish_index = i / SPANISH_EVERY;
            if spanish_index % 3 != 2 {
                plans[i].translation_of = english.get(spanish_index * 5).copied();
            }
        }
    }

    let articles_dir = dir.join("articles");
    fs::create_dir_all(&articles_dir).expect("create articles/");
    let mut bytes = 0;
    let mut df: HashMap<String, usize> = HashMap::new();
    let mut df_es: HashMap<String, usize> = HashMap::new();
    let mut text = String::with_capacity(8 * 1024);
    for (i, plan) in plans.iter().enumerate() {
        let tongue = if plan.lang == "es" { &es } else { &en };
        let same_lang = if plan.lang == "es" {
            &spanish
        } else {
            &english
        };
        text.clear();
        write_front_matter(
            &mut text,
            &mut rng,
            i,
            plan,
            &plans,
            same_lang,
            tongue,
            &topics,
            &specialty_of,
        );
        let body_start = text.len();
        write_body(&mut text, &mut rng, tongue, &plan.condition);
        let words: HashSet<String> = text[body_start..]
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let counts = if plan.lang == "es" {
            &mut df_es
        } else {
            &mut df
        };
        for w in words {
            *counts.entry(w).or_default() += 1;
        }
        bytes += text.len() as u64;
        fs::write(articles_dir.join(format!("{}.md", plan.slug)), &text).expect("write an article");
    }

    // The rare word: the condition with the fewest articles in the language, at least two.
    let first = |list: &[usize]| list.first().map(|&i| plans[i].condition.clone());
    let rare_word = rarest(&en.conditions, &df, &first(&english).unwrap_or_default());
    let rare_word_es = rarest(&es.conditions, &df_es, &first(&spanish).unwrap_or_default());
    Generated {
        articles: count,
        english: english.len(),
        spanish: spanish.len(),
        bytes,
        rare_word,
        document_frequency: df.into_iter().collect(),
        rare_word_es,
        document_frequency_es: df_es.into_iter().collect(),
    }
}

#[allow(clippy::too_many_arguments)]
fn write_front_matter(
    out: &mut String,
    rng: &mut Rng,
    index: usize,
    plan: &Plan,
    plans: &[Plan],
    same_lang: &[usize],
    tongue: &Tongue,
    topics: &[String],
    specialty_of: &[String],
) {
    let year = 2024 + rng.below(2);
    let date = format!("{year}-{:02}-{:02}", rng.between(1, 12), rng.between(1, 28));
    let reviewed = format!("2026-{:02}-{:02}", rng.between(1, 12), rng.between(1, 28));
    let mut topic_list = vec![topics[plan.topic].clone()];
    if rng.chance(0.2) {
        let other = &topics[rng.below(topics.len())];
        if !topic_list.contains(other) {
            topic_list.push(other.clone());
        }
    }
    let mut related = Vec::new();
    for _ in 0..rng.between(2, 4) {
        let j = *rng.pick(same_lang);
        if j != index && !related.contains(&plans[j].slug) {
            related.push(plans[j].slug.clone());
        }
    }
    let mut summary = String::new();
    let cond = &plan.condition;
    if tongue.code == "es" {
        let _ = write!(
            summary,
            "Qué es {cond}, cómo se trata y cuándo debe llamarnos. "
        );
    } else {
        let _ = write!(
            summary,
            "What {cond} is, how it is treated, and when to call. "
        );
    }
    tongue.sentence(rng, cond, 6, 12, ".", &mut summary);
    let summary = summary.replace("**", "");
    let quoted = |v: &[String]| {
        v.iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let url = if tongue.code == "es" {
        format!("https://clinic.example/es/articulos/{}", plan.slug)
    } else {
        format!("https://clinic.example/articles/{}", plan.slug)
    };
    let _ = writeln!(out, "+++");
    let _ = writeln!(out, "title = \"{}\"", plan.title);
    let _ = writeln!(out, "slug = \"{}\"", plan.slug);
    let _ = writeln!(out, "date = {date}");
    let _ = writeln!(out, "reviewed = {reviewed}");
    let _ = writeln!(out, "reviewer = \"{}\"", rng.pick(tongue.reviewers));
    let _ = writeln!(out, "topics = [{}]", quoted(&topic_list));
    let _ = writeln!(out, "specialty = \"{}\"", specialty_of[plan.topic]);
    let _ = writeln!(out, "summary = \"{summary}\"");
    if !related.is_empty() {
        let _ = writeln!(out, "related = [{}]", quoted(&related));
    }
    let _ = writeln!(out, "canonical_url = \"{url}\"");
    let _ = writeln!(out, "language = \"{}\"", tongue.code);
    if let Some(original) = plan.translation_of {
        let _ = writeln!(out, "translation_of = \"{}\"", plans[original].slug);
    }
    let _ = writeln!(out, "+++");
}

fn write_body(out: &mut String, rng: &mut Rng, tongue: &Tongue, cond: &str) {
    let target = rng.between(500, 800);
    let mut words = 0;
    let mut headings: Vec<usize> = (0..tongue.headings.len()).collect();
    while words < target {
        out.push('\n');
        let h = if headings.is_empty() {
            rng.below(tongue.headings.len())
        } else {
            headings.remove(rng.below(headings.len().min(3)))
        };
        let heading = fill(tongue.headings[h], cond);
        words += heading.split_whitespace().count();
        let _ = writeln!(out, "## {heading}\n");
        for _ in 0..rng.between(1, 3) {
            for s in 0..rng.between(2, 5) {
                if s > 0 {
                    out.push(' ');
                }
                words += tongue.sentence(rng, cond, 4, 10, ".", out);
            }
            out.push_str("\n\n");
            if words >= target {
                return;
            }
        }
        if rng.chance(0.5) {
            let numbered = rng.chance(0.3);
            for n in 1..=rng.between(3, 6) {
                if numbered {
                    let _ = write!(out, "{n}. ");
                } else {
                    out.push_str("- ");
                }
                words += tongue.sentence(rng, cond, 3, 9, ".\n", out);
            }
        }
    }
}

/// A generated folder with its built library, kept on disk while this value lives.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub generated: Generated,
    pub library: Library,
}

impl Fixture {
    pub fn content_dir(&self) -> PathBuf {
        self.dir.path().join("content")
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("library.db")
    }
}

/// Generates `count` articles in the languages of `mix`, checks them with the real checker
/// and builds their library.
pub fn fixture(count: usize, mix: Mix) -> Fixture {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let content_dir = dir.path().join("content");
    fs::create_dir_all(&content_dir).expect("create content/");
    let generated = generate(&content_dir, count, mix);
    let (content, diags) = content::load(&content_dir);
    let errors: Vec<String> = diags
        .sorted()
        .into_iter()
        .filter(|d| d.severity == content::Severity::Error)
        .take(5)
        .map(|d| d.to_string())
        .collect();
    assert!(
        !diags.has_errors(),
        "the generated content has {} error(s), first: {errors:#?}",
        diags.error_count()
    );
    assert_eq!(
        content.articles.len(),
        count,
        "every generated article loads"
    );
    let db = dir.path().join("library.db");
    library::build(&content, &db).expect("build the library");
    let library = Library::open(&db).expect("open the library");
    eprintln!(
        "generated {} articles ({} en, {} es, {:.1} MiB, {} warnings) in {}",
        generated.articles,
        generated.english,
        generated.spanish,
        generated.bytes as f64 / (1024.0 * 1024.0),
        diags.warning_count(),
        content_dir.display()
    );
    Fixture {
        dir,
        generated,
        library,
    }
}

/// One kind of query the benches time.
#[derive(Debug, Clone)]
pub struct Query {
    /// Short name used as the benchmark id.
    pub name: &'static str,
    pub text: String,
    /// The language of the screen it is typed on.
    pub lang: &'static str,
    /// Type-ahead (`Library::suggest`) rather than full search.
    pub suggest: bool,
}

/// The queries of issue #2 in `lang`. The Spanish ones are the same kinds: the rarest
/// Spanish condition, two words of about the same rank in the Spanish vocabulary as
/// "knee swelling", a two-letter prefix of common words, the most common content word, and
/// an everyday phrase from synonyms.toml.
pub fn queries(generated: &Generated, lang: &'static str) -> Vec<Query> {
    let q = |name, text: &str, suggest| Query {
        name,
        text: text.to_string(),
        lang,
        suggest,
    };
    if lang == "es" {
        return vec![
            q("rare_word", &generated.rare_word_es, false),
            q("two_words", "rodilla hinchazón", false),
            q("prefix_suggest", "hi", true),
            q("common_word", "dolor", false),
            q("synonym_phrase", "disco salido", false),
        ];
    }
    vec![
        q("rare_word", &generated.rare_word, false),
        q("two_words", "knee swelling", false),
        q("prefix_suggest", "sw", true),
        q("common_word", "pain", false),
        q("synonym_phrase", "slipped disc", false),
    ]
}

/// Runs one query once; returns how many results it gave.
pub fn run(library: &Library, query: &Query) -> usize {
    if query.suggest {
        library
            .suggest(&query.text, query.lang)
            .expect("suggest never fails")
            .len()
    } else {
        library
            .search(&query.text, query.lang, 10)
            .expect("search never fails")
            .results
            .len()
    }
}

/// What each query is looking for: the articles in its language holding each of its words.
pub fn describe(generated: &Generated, query: &Query) -> String {
    let frequency = generated.document_frequency(query.lang);
    let lang = query.lang;
    let df = |w: &str| frequency.get(w).copied().unwrap_or(0);
    if query.suggest {
        let matching: Vec<(&String, &usize)> = frequency
            .iter()
            .filter(|(w, _)| w.starts_with(&query.text))
            .collect();
        let top = matching.iter().max_by_key(|(_, &n)| n);
        return match top {
            Some((w, n)) => format!(
                "{} distinct words start with `{}`; the most common, `{w}`, is in {n} {lang} articles",
                matching.len(),
                query.text
            ),
            None => format!("no word starts with `{}`", query.text),
        };
    }
    query
        .text
        .split_whitespace()
        .map(|w| format!("`{w}` in {} {lang} articles", df(w)))
        .collect::<Vec<_>>()
        .join(", ")
}
