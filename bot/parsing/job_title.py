"""Job titles: the answer to "what's your role?", titles mentioned in passing, seniority.

English and the languages of the colleagues who follow up non-English visitors: "sono la
responsabile vendite di un'azienda tessile" -> "responsabile vendite", "ich bin Leiterin
Kundenservice bei ..." -> "Leiterin Kundenservice", "jestem prezesem firmy X" ->
"prezesem". The title is kept in the visitor's words; `seniority` reads the common titles of
those languages too (Geschäftsführer, directeur, gerente, vd, toimitusjohtaja, prezes, genel
müdür, ...), and compounds that end in a role ("Kundenserviceleiter", "kundtjänstchef",
"asiakaspalvelupäällikkö").
"""

from __future__ import annotations

import re

from bot.parsing.replies import is_dont_know, is_skip, normalize_text, straighten, word_set

# Titles in German, French, Spanish, Portuguese, Italian, Dutch, Swedish, Danish, Norwegian,
# Finnish, Polish, Turkish and Czech, accents optional. Polish and Czech titles come
# inflected after "jestem"/"jsem" ("jestem kierownikiem"), hence the open endings.
FOREIGN_TOP_TITLES = (
    r"pdg|presidente|pr[eé]sident(?:e)?|pr[aä]sident(?:in)?|fondat(?:eur|rice|ore)|"
    r"fundador(?:a)?|gr[uü]nder(?:in)?|oprichter|grundare|grundl[aæ]gger|stifter|perustaja|"
    r"za[lł]o[zż]yciel\w*|kurucu\w*|zakladatel\w*|propri[eé]taire|propietari[oa]|"
    r"propriet[aá]ri[oa]|proprietari[oa]|[aä]gare|del[aä]gare|ejer|medejer|eier|medeier|"
    r"omistaja|w[lł]a[sś]ciciel\w*|wsp[oó][lł]w[lł]a[sś]ciciel\w*|sahibi|majitel\w*|"
    r"spolumajitel\w*|amministratore delegato|vd|verkst[aä]llande direkt[oö]r|"
    r"administrerende direkt[oø]r|adm\.? ?dir\.?|daglig leder|toimitusjohtaja\w*|"
    r"prezes\w*|genel m[uü]d[uü]r\w*|jednatel\w*|gener[aá]ln[ií] [rř]editel\w*|"
    r"directeur g[eé]n[eé]ral|directrice g[eé]n[eé]rale|director(?:a)? general|"
    r"diretor(?:a)?[- ]geral|direttore generale|direttrice generale|algemeen directeur|"
    r"directeur-eigenaar|dyrektor\w* generaln\w*|vorstand(?:svorsitzende[rn]?)?|"
    r"s[oó]ci[oa]|wsp[oó]lnik\w*|ortak|spole[cč]n[ií]k\w*"
)
FOREIGN_HEADS = (
    r"leitung|responsable|respons[aá]vel|jef[ea]|chef(?:fe)? d[e']|chefe|encargad[oa]|"
    r"kierowni\w*|szef\w*|vedouc[ií]|sorumlu\w*|ansvarig|ansvarlig|leder|p[aä][aä]llikk\w*|"
    r"capo|hoofd van|"
    # compounds that end in the role: "Kundenserviceleiter", "kundtjänstchef", "salgssjef"
    r"\w{3,}(?:leiter(?:in)?|leider|hoofd|chef|sjef|leder|p[aä][aä]llikk[oö]\w*)"
)
FOREIGN_DIRECTORS = (
    r"directrice|direttrice|diretor(?:a)?|dyrektor\w*|[rř]editel\w*|direkt[oø]r|"
    r"direkt[oö]r|johtaja\w*|m[uü]d[uü]r\w*|\w{3,}(?:direktor|direkt[oø]r|direkt[oö]r|"
    r"johtaja\w*)"
)
FOREIGN_MANAGERS = (
    r"gerente|gestor(?:a)?|managerin|teamleiter(?:in)?|chef d'[eé]quipe|"
    r"capo ?(?:reparto|turno|squadra)|supervisor(?:a)?|superviseur|supervisore|"
    r"mened[zż]er\w*|"
    r"manag(?:erem|erka|erk[aą])|y[oö]netici\w*|esimies\w*|teamleder|gruppeleder|"
    r"arbetsledare|mana[zž]er\w*|\w{3,}manager(?:in)?"
)
FOREIGN_INDIVIDUALS = (
    r"mitarbeiter(?:in)?|sachbearbeiter(?:in)?|kundenberater(?:in)?|agente|op[eé]rat(?:eur|rice)|"
    r"coordinador(?:a)?|coordinat(?:eur|rice|ore)|coördinator|koordynator\w*|"
    r"operat(?:ore|rice)|conseill(?:er|[eè]re)|asesor(?:a)?|consulente|assistent(?:e|in)?|"
    r"emplead[oa]|impiegat[oa]|medewerker|medarbetare|medarbejder|ansatt|ty[oö]ntekij[aä]|"
    r"pracownik\w*|[cç]al[iı][sş]an|uzman\w*|zam[eě]stnan\w*|speciali[sz]t\w*|"
    r"sp[eé]cialiste|especialista|analista|analyste|ingenieur(?:in)?|ing[eé]nieur|ingeniero|"
    r"ingegnere|engenheir[oa]|in[zż]ynier\w*|m[uü]hendis\w*|in[zž]en[yý]r\w*|"
    r"consultant(?:e)?|consultor(?:a)?|konsultant\w*|konzultant\w*|stagiaire|"
    r"praktikant(?:in)?|becari[oa]|tirocinante|estagi[aá]ri[oa]|sta[zż]yst\w*|stajyer|"
    r"st[aá][zž]ist\w*"
)
# Seniority levels, most senior first. Each is recognised by the words below; the first
# level that matches wins, so "vice president" is tested before "president" and an
# "assistant to the CEO" is caught before "CEO".
SENIORITY_CUES: tuple[tuple[str, str], ...] = (
    ("individual", r"(?:assistant|secretary|ea|pa) to|(?:executive|personal) assistant"),
    ("vp", r"vp|svp|evp|avp|vice[- ]president|vice[- ]pres|vicepresident[ea]?|vice-presidente|"
           r"vizeprasident(?:in)?|wiceprezes\w*|vice-?prezident\w*"),
    (
        "c_level",
        r"c[eotfmiprsdh]o|ciso|cxo|chief(?: [\w&-]+){0,3}(?: officer)?|"
        r"(?:co-?)?founder|(?:co-?|sole |business )?owner|proprietor|president|"
        r"chair(?:man|woman|person)?|board member|managing director|"
        r"(?:managing |senior |equity |founding |name )?partner"
        r"(?! (?:manager|success|marketing|programs?|relations|account|channel|sales|"
        r"development|operations|support|enablement|lead))|"
        r"principal(?! (?:engineer|designer|consultant|analyst|scientist|architect|developer|"
        r"product|software|data))|"
        r"eigenaar|mede-eigenaar|titolare|socio|inhaber(?:in)?|gesch[aä]ftsf[uü]hrer(?:in)?|"
        r"g[eé]rant(?:e)?|dono|dona|due[nñ]o|due[nñ]a|"
        # the top of a company in the colleagues' languages
        + FOREIGN_TOP_TITLES,
    ),
    ("head", r"head|heads|hoofd|responsabile|leiter(?:in)?|" + FOREIGN_HEADS),
    ("director", r"director|dir|general manager|gm|directeur|direttore|directora?|"
                 r"gerente general|gerente geral|"
                 + FOREIGN_DIRECTORS),
    (
        "manager",
        r"manager|mgr|management|supervisor|team ?lead(?:er)?|lead|leader|teamleider|"
        r"foreman|superintendent|coordinator of|" + FOREIGN_MANAGERS,
    ),
    (
        "individual",
        r"agent|engineer|developer|dev|programmer|analyst|co-?ordinator|specialist|associate|"
        r"intern|student|rep|representative|consultant|administrator|admin|assistant|"
        r"advis[eo]r|technician|operator|designer|officer|executive|clerk|receptionist|"
        r"trainee|apprentice|employee|staff member|nurse|editor|writer|accountant|architect|"
        r"attorney|lawyer|solicitor|paralegal|associate|teacher|researcher|scientist|"
        r"dispatcher|call handler|handler|planner|buyer|recruiter|marketer|tester|"
        r"freelancer|contractor|volunteer|worker|vet|veterinarian|pharmacist|optician|"
        r"curator|producer|strategist|copywriter|bookkeeper|controller|cashier|"
        + FOREIGN_INDIVIDUALS,
    ),
)

SENIORITY_RES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (level, re.compile(rf"(?<![\w-])(?:{cues})s?(?![\w-])")) for level, cues in SENIORITY_CUES
)
ROLE_NOUN_RE = re.compile(
    r"(?<![\w-])(?:" + "|".join(cues for _, cues in SENIORITY_CUES) + r")s?(?![\w-])"
)

# Written in capitals whatever the visitor typed.
ACRONYMS = word_set(
    """
    ceo cto coo cfo cmo cio cpo cro cso cdo cho cxo ciso vp svp evp avp it hr cx ux ui qa emea
    apac amer latam dach smb b2b b2c saas crm pr seo sem gm ea pa r&d hse md
    """
)

# How people open an answer about their role; removed before the title is kept.
_LEAD_IN_RE = re.compile(
    r"^(?:(?:hi|hello|hey|sure|ok|okay|yes|yeah|yep|so|well|um+|uh+)\b[\s,!.]*)*"
    r"(?:(?:i'?m|i am|im|i work as|i'?m working as|working as|i'?m employed as|"
    r"my (?:role|title|job(?: title)?|position) is|my (?:role|title|job)'?s|it'?s|"
    r"currently|as)\s+)?"
    r"(?:(?:currently|just|only|also|basically|officially)\s+)?"
    r"(?:(?:the|a|an|one of the)\s+)?",
    re.IGNORECASE,
)

# "I am (the) ..." and "I work as ..." in the colleagues' languages, and the article after.
FOREIGN_SELF_FRAMES = (
    r"sono|lavoro come|faccio (?:il|la)|je suis|je travaille comme|je travaille en tant que|"
    r"ich bin|ich arbeite als|soy|trabajo como|sou|trabalho como|ik ben|ik werk als|"
    r"jag är|jag jobbar som|jag arbetar som|jeg er|jeg arbejder som|jeg jobber som|olen|"
    r"toimin|jestem|pracuj[eę] jako|jsem|pracuj[iu] jako"
)
FOREIGN_ARTICLES = (
    r"il|la|lo|un|una|uno|le|une|der|die|das|ein|eine|el|los|las|o|a|um|uma|de|het|een|en|"
    r"ett|et"
)
FOREIGN_INDEFINITES = (
    r"un|una|uno|une|um|uma|een|einer|einem|eines|ein|eine|ett|et|en|la nostra|nuestra|"
    r"nostra|notre|unserer|unseres|onze|vår|vores"
)
# Pronouns and verbs that start a new clause after "and" ("e abbiamo", "und wir").
FOREIGN_CLAUSE_STARTS = (
    r"noi|ci|abbiamo|siamo|vorrei|vorremmo|cerchiamo|stiamo|ho|sto|wir|ich|haben|sind|"
    r"suchen|m[oö]chten|nous|on|je|j'ai|avons|sommes|cherchons|voudrais|nosotros|estamos|"
    r"tenemos|somos|buscamos|quiero|queremos|necesitamos|n[oó]s|temos|procuramos|precisamos|"
    r"wij|we|ik|hebben|zijn|zoeken|willen|vi|jag|har|är|söker|vill|jeg|er|søger|søker|vil|"
    r"me|olemme|haemme|haluamme|my|mamy|jeste[sś]my|szukamy|chcemy|biz|m[aá]me|jsme|"
    r"hled[aá]me|chceme|pot[rř]ebujeme"
)
_FOREIGN_GREETINGS = (
    r"hola|bonjour|bonsoir|salut|hallo|guten tag|moin|servus|ciao|buongiorno|buonasera|salve|"
    r"ol[aá]|oi|bom dia|boa tarde|hoi|goedemorgen|goedemiddag|hej|hei|moi|terve|cze[sś][cć]|"
    r"dzie[nń] dobry|merhaba|dobr[yý] den|ahoj"
)
_FOREIGN_LEAD_IN_RE = re.compile(
    rf"^(?:(?:{_FOREIGN_GREETINGS})\b[\s,!.]*)*"
    rf"(?:(?:{FOREIGN_SELF_FRAMES})\s+)?(?:(?:(?:{FOREIGN_ARTICLES})\s+)|l'|un')?",
    re.IGNORECASE,
)
_FOREIGN_SELF_TITLE_RE = re.compile(
    rf"(?<![\w'])(?P<frame>{FOREIGN_SELF_FRAMES})\s+(?:(?:(?:{FOREIGN_ARTICLES})\s+)|l'|un')?"
    r"(?P<rest>.+)",
    re.IGNORECASE,
)
# Finnish "toimin myyntijohtajana" (I work as sales director): the title without "-na".
_ESSIVE_RE = re.compile(r"(?<=\w{4})(?:na|nä)$")
_FINNISH_PLACE_RE = re.compile(r"\w{3}(?:ssa|ssä|lla|llä|sta|stä)$")
# Polish names the employer in the genitive right after the title ("prezesem firmy ...").
_POLISH_COMPANY_RE = re.compile(r"\s+(?=(?:firmy|spółki|sklepu|przedsiębiorstwa|hotelu)\b)")
# Turkish puts "I am" on the title itself: "genel müdürüm", "müdürüyüm", "CEO'yum".
_TURKISH_COPULA_RE = re.compile(r"^(?P<stem>\w+?'?)(?:y)?(?:ım|im|um|üm)$")
# Turkish words that end a title's left edge: a place ("firmasında") or an opener.
_TURKISH_STOP_RE = re.compile(r"(?:[dt][ae]n?|'\w*|nda|nde)$|^(?:ben|bir|ve|merhaba|olarak)$")

# Where a title ends and the rest of the sentence begins.
_TITLE_END_RE = re.compile(
    r"\s+(?:at|@|with|in|from|since|here|based)\s+"
    r"|\s+for\s+(?=(?:the|a|an|our|my|all|every|this|these|both|them|us)\b)"
    r"|\s+of\s+(?=(?:a|an|my|our|this|these)\b)"
    r"|\s+and\s+(?=(?:i|i'm|we|we're|so|but|my|our|run|have|looking|want|need|am|was|also|"
    r"it|the|a)\b)"
    r"|\s+(?:so|but|because|cause|who|which|where|looking|and\s+looking)\b"
    r"|\s*[;.!?()\[\]:]|\s+[-\u2013\u2014]+\s+|\s*\u2026"
    # the colleagues' languages: where they work ("presso", "bei", "chez", "bij", "på", "w"),
    # "of a/an ..." ("di una catena", "d'une boutique"), a clause that starts ("e abbiamo",
    # "und wir", "que", "som")
    r"|\s+(?:presso|bei|beim|chez|bij|hos|på|vid|ved|u|w|we|v|ve|em|na|no|numa|num|nella|"
    r"nel|nello|dans|en|i|im|in\s+der|in\s+einer|in\s+einem)\s+"
    r"|\s+(?:di|de|da|do|van|von|vom|för|af|des|del|della|du|for|für|pour|para|per|voor|"
    r"til)\s+(?=(?:"
    + FOREIGN_INDEFINITES + r")\b)"
    r"|\s+(?:d'|dell'|un')(?=(?:une?|una)\b)"
    r"|\s+(?=(?:eines|einer)\b)|\s+(?:da|do|della|dello|dalla)\s+(?=[A-Z])"
    r"|\s+(?:e|ed|und|et|y|en|och|og|ja|i|a|ve|oraz|mais|ma|aber|pero|mas|maar|men|mutta|ale|"
    r"ama)\s+(?=(?:" + FOREIGN_CLAUSE_STARTS + r")\b)"
    r"|\s+(?:che|que|qui|som|joka|kt[oó]r\w*|kter\w*|ve\s+\w+yoruz)\b",
    re.IGNORECASE,
)

# Words that cannot open a title; "I'm looking for..." is not a role.
NOT_TITLE_START = word_set(
    """
    looking working trying going here not so very happy interested curious based new from with
    in on at to the a an just also wondering reaching writing calling contacting sorry glad part
    one responsible nothing none nobody no whatever why what who
    """
)

# Words that cannot appear in a title at all: a clause, not a role.
NOT_TITLE_WORDS = word_set(
    """
    i i'm we we're you our my your need needs want wants is are was were have has looking why
    what how who please thanks noi wir nous nosotros wij vi jag jeg olemme jesteśmy biz jsme
    cerchiamo suchen cherchons buscamos procuramos zoeken söker søger szukamy hledáme
    """
)

# "I manage customer care" -> a title built from the verb and the department.
DEPARTMENT_NOUNS = (
    r"support|care|service|services|success|experience|cx|ops|operations|marketing|sales|"
    r"it|engineering|product|digital|finance|hr|people|desk|help ?desk|contact cent(?:er|re)|"
    r"call cent(?:er|re)|team|communications|comms|partnerships|helpline|front office|"
    r"back office|logistics|fulfilment|fulfillment|admin|administration"
)
VERB_TITLES: dict[str, str] = {
    "manage": "{} manager",
    "run": "{} manager",
    "oversee": "{} manager",
    "look after": "{} manager",
    "am in charge of": "{} manager",
    "'m in charge of": "{} manager",
    "m in charge of": "{} manager",
    "lead": "{} lead",
    "head up": "head of {}",
    "head": "head of {}",
    "supervise": "{} supervisor",
}
_VERB_TITLE_RE = re.compile(
    r"\bi\s*(?P<verb>"
    + "|".join(re.escape(v) for v in sorted(VERB_TITLES, key=len, reverse=True))
    + r")\s+(?:the\s+|our\s+|a\s+|all\s+(?:of\s+)?(?:our\s+)?)?"
    r"(?P<dept>(?:[\w&-]+\s+){0,2}(?:" + DEPARTMENT_NOUNS + r"))"
    r"(?:\s+(?:team|department|dept|function|org))?(?![\w-])",
    re.IGNORECASE,
)
# "I own the place" / "I co-own a small bakery": the title is "owner".
_OWNER_RE = re.compile(
    r"\bi\s+(?:co-?)?own\s+(?:the|this|a|an|my|our)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:place|business|company|shop|store|practice|firm|agency|studio|clinic|restaurant|"
    r"salon|gym|hotel|bakery|cafe|bar|garage|franchise|franchises)\b",
    re.IGNORECASE,
)
# Top titles followed by "of <Company>": the company is not part of the title.
TOP_TITLES = (
    r"(?:co-?)?founder|ceo|cto|coo|cfo|cmo|cio|cpo|cro|(?:co-?)?owner|president|"
    r"managing director|managing partner|chair(?:man|woman|person)?"
)
_TOP_TITLE_OF_RE = re.compile(
    r"(?:^|(?<=[,(]\s)|(?<=[,(]))\s*(?P<title>(?:[\w-]+\s+)?(?:" + TOP_TITLES + r")"
    r"(?:\s*(?:&|and|/)\s*(?:" + TOP_TITLES + r"))?)\s+of\s+(?=[A-Z0-9]|(?:the|a|an|my|our)\b)",
    re.IGNORECASE,
)
_SELF_TITLE_RE = re.compile(
    r"\b(?:i'?m|i am|im|i work as|working as|my (?:role|title|job) is|as)\s+"
    r"(?:(?:currently|just|only|also|basically)\s+)?(?:(?:the|a|an|one of the)\s+)?"
    r"(?P<rest>.+)",
    re.IGNORECASE,
)
# "Dana Lee, Head of Support at Acme" / "I'm Dana, head of ops at Acme".
_APPOSITIVE_RE = re.compile(
    r"(?:^|[,(]\s*)(?:(?:the|a|an)\s+)?(?P<rest>[^,()]{2,60}?)\s+"
    r"(?:at|@|with|for|presso|bei|chez|bij|hos|på|vid|ved)\s+(?=[A-Z0-9])"
)

MAX_TITLE_WORDS = 8
# Without a recognisable role word, only a short answer is taken as a title ("retired").
MAX_UNKNOWN_TITLE_WORDS = 5


def _tidy(title: str) -> str:
    words = title.strip(" ,.;:!-\u2013\u2014'\"").split()
    return " ".join(w.upper() if w.lower() in ACRONYMS else w for w in words)


def _cut(text: str) -> str:
    """Keep the title at the start of `text` and drop the rest of the sentence."""
    text = text.strip()
    top = _TOP_TITLE_OF_RE.match(text)
    if top:
        return _tidy(top.group("title"))  # "CEO of Cyberdyne" -> "CEO"
    match = _TITLE_END_RE.search(text)
    head = text[: match.start()] if match else text
    # "Manager, Customer Care" keeps its comma; "COO, I sign these contracts" does not.
    first, sep, rest = head.partition(",")
    if sep:
        rest_words = normalize_text(rest).split()
        bare_role = ROLE_NOUN_RE.fullmatch(normalize_text(first).split()[-1] if first else "")
        regional = all(w in ACRONYMS for w in rest_words)
        if (
            (bare_role or regional)
            and 0 < len(rest_words) <= 4
            and not set(rest_words) & NOT_TITLE_WORDS
        ):
            return _tidy(f"{first}, {rest.strip()}")
        return _tidy(first)
    return _tidy(head)


def seniority(title: str) -> str | None:
    """Seniority of a title: "c_level", "vp", "head", "director", "manager" or "individual"."""
    norm = normalize_text(title)
    for level, pattern in SENIORITY_RES:
        if pattern.search(norm):
            return level
    return None


def has_role_word(text: str) -> bool:
    """True when the text contains a word that names a role (manager, CTO, agent, ...)."""
    return bool(ROLE_NOUN_RE.search(normalize_text(text)))


def _plausible(title: str, *, need_role: bool) -> bool:
    words = normalize_text(title).split()
    if not words or len(words) > MAX_TITLE_WORDS or words[0] in NOT_TITLE_START:
        return False
    if set(words) & NOT_TITLE_WORDS or "@" in title or any(ch.isdigit() for ch in title):
        return False
    if has_role_word(title):
        return True
    return not need_role and len(words) <= MAX_UNKNOWN_TITLE_WORDS


def parse_job_title(text: str, *, language: str | None = None) -> str | None:
    """The visitor's title from an answer to "what's your role?", in their words.

    "I'm the CTO" -> "CTO"; "customer care manager for the whole chain" -> "customer care
    manager"; "Manager, Customer Care" stays as it is; "retired" -> "retired"; "sono la
    responsabile del servizio clienti" -> "responsabile del servizio clienti".
    `language` "en" reads English only; any other value or None reads the other languages
    too.
    """
    if not text or not text.strip() or is_skip(text) or is_dont_know(text):
        return None
    stripped = straighten(text).strip()
    if stripped.endswith("?") and not has_role_word(stripped):
        return None
    foreign = not _english_only(language)
    derived = _title_from_verb(stripped) or (_turkish_title(stripped) if foreign else None)
    body = _LEAD_IN_RE.sub("", stripped, count=1)
    if foreign:
        body = _FOREIGN_LEAD_IN_RE.sub("", body, count=1)
    title = _cut(body)
    if _plausible(title, need_role=False):
        return title
    return derived


def _title_from_verb(text: str) -> str | None:
    if _OWNER_RE.search(text):
        return "owner"
    match = _VERB_TITLE_RE.search(text)
    if not match:
        return None
    verb = " ".join(match.group("verb").lower().split())
    dept = " ".join(match.group("dept").split())
    if normalize_text(dept).split()[0] in NOT_TITLE_START | NOT_TITLE_WORDS:
        return None
    return _tidy(VERB_TITLES[verb].format(dept))


def find_job_title(text: str, *, language: str | None = None) -> str | None:
    """A title mentioned in passing ("hi, I'm head of ops at Acme" -> "head of ops").

    Conservative: needs "I'm ..."/"I work as ..." followed by a role word, a signature-like
    "Name, Title at Company", or "I manage/lead/head up <department>"; in the colleagues'
    languages "sono ...", "ich bin ...", "je suis ...", "jestem ...", "müdürüyüm" and the
    like. `language` "en" reads English only.
    """
    if not text:
        return None
    text = straighten(text)
    for match in _SELF_TITLE_RE.finditer(text):
        title = _cut(match.group("rest"))
        if _plausible(title, need_role=True):
            return title
    foreign = None if _english_only(language) else _foreign_self_title(text)
    if foreign:
        return foreign
    for match in _APPOSITIVE_RE.finditer(text):
        title = _tidy(match.group("rest"))
        if _plausible(title, need_role=True) and not _SELF_TITLE_RE.match(title):
            return title
    top = _TOP_TITLE_OF_RE.search(text)
    if top:
        return _tidy(top.group("title"))
    verb = _title_from_verb(text)
    return verb if verb or _english_only(language) else _turkish_title(text)


def _english_only(language: str | None) -> bool:
    return bool(language) and str(language).lower().split("-")[0] == "en"


def _foreign_self_title(text: str) -> str | None:
    """"sono la responsabile vendite di un'azienda tessile" -> "responsabile vendite"."""
    for match in _FOREIGN_SELF_TITLE_RE.finditer(text):
        title = _cut(match.group("rest"))
        frame = match.group("frame").lower()
        if frame in ("olen", "toimin"):
            title = _finnish_title(title)
        elif frame.startswith(("jestem", "pracuj")):
            title = _POLISH_COMPANY_RE.split(title)[0]  # "prezesem firmy X" -> "prezesem"
        if _plausible(title, need_role=True):
            return title
    return None


def _finnish_title(title: str) -> str:
    """Finnish says where with a case ending ("verkkokaupassa"): the title ends before it;
    "toimin myyntijohtajana" is "myyntijohtaja".
    """
    words = title.split()
    kept: list[str] = []
    for word in words:
        if kept and _FINNISH_PLACE_RE.search(word):
            break
        kept.append(word)
    return _ESSIVE_RE.sub("", " ".join(kept))


def _turkish_title(text: str) -> str | None:
    """"... müşteri hizmetleri müdürüyüm" -> "müşteri hizmetleri müdürü" (up to 3 words
    before the one that says "I am"), or the title before "olarak çalışıyorum".
    """
    words = re.findall(r"[\w']+", text)
    for i, word in enumerate(words):
        copula = _TURKISH_COPULA_RE.match(word.lower())
        if word.lower() == "olarak" and i > 0:
            end, last = i, None
        elif copula and has_role_word(copula.group("stem").rstrip("'")):
            end, last = i, word[: len(copula.group("stem"))].rstrip("'")
        else:
            continue
        start = end
        while start > 0 and end - start < 3 and not _TURKISH_STOP_RE.search(words[start - 1]):
            start -= 1
        title = " ".join([*words[start:end], *([last] if last else [])])
        if title and _plausible(title, need_role=True):
            return _tidy(title)
    return None
