"""parse_email, domain classification and the company guess from an address."""

import pytest

from bot.parsing.email import (
    EmailDomains,
    company_from_email,
    email_domain,
    email_region,
    is_disposable,
    is_free_mail,
    parse_email,
)
from bot.policies.email_domains import EmailDomainsPolicy
from tests.unit.repo_policies import POLICIES

DOMAINS = POLICIES.email_domains


def lexicon(table: dict) -> EmailDomains:
    """A lexicon of its own, as email_domains.yml would give it."""
    return EmailDomainsPolicy.model_validate(table).lexicon()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sorry, my email is Jo.Doe+leads@Acme.co.uk", "jo.doe+leads@acme.co.uk"),
        ("sorry, my email is Jo.Doe+leads@Acme.co.uk.", "jo.doe+leads@acme.co.uk"),
        ("marisol@redwoodrides.com", "marisol@redwoodrides.com"),
        ("  MARISOL@REDWOODRIDES.COM ", "marisol@redwoodrides.com"),
        ("<dana@acme.io>", "dana@acme.io"),
        ("mailto:Curtis@Lakeshore-Auto.com)", "curtis@lakeshore-auto.com"),
        ("reach me at dana.lee@gmail.com or call", "dana.lee@gmail.com"),
        ("it's shalini.rahim@tanrahim-law.sg, thanks!", "shalini.rahim@tanrahim-law.sg"),
        ("jo [at] acme [dot] com", "jo@acme.com"),
        ("jo(at)acme(dot)com", "jo@acme.com"),
        ("work: ingrid@nyheter.se / private: ingrid@gmail.com", "ingrid@nyheter.se"),
        ("email: o'brien@dublinvets.ie", "o'brien@dublinvets.ie"),
        ("foo@bar", None),
        ("jo@acme.c", None),
        ("no thanks, I'd rather not", None),
        ("you can email me", None),
        ("@acme", None),
        ("", None),
        ("dana at acme", None),
        ("jo..doe@acme.com", None),
        ("a@b@c.com", None),
    ],
)
def test_parse_email(text, expected):
    assert parse_email(text) == expected


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("Jo@Acme.CO.uk", "acme.co.uk"),
        ("a@b.com", "b.com"),
        ("no-at-sign", ""),
    ],
)
def test_email_domain(email, expected):
    assert email_domain(email) == expected


@pytest.mark.parametrize(
    ("domain", "free", "disposable"),
    [
        ("gmail.com", True, False),
        ("googlemail.com", True, False),
        ("yahoo.co.uk", True, False),
        ("hotmail.fr", True, False),
        ("outlook.com", True, False),
        ("icloud.com", True, False),
        ("proton.me", True, False),
        ("protonmail.com", True, False),
        ("gmx.at", True, False),
        ("web.de", True, False),
        ("mailinator.com", False, True),
        ("eu.mailinator.com", False, True),
        ("yopmail.fr", False, True),
        ("guerrillamail.com", False, True),
        ("acme.com", False, False),
        ("mail.acme.co.uk", False, False),
        ("orange.com", False, False),
        ("orange.fr", True, False),
    ],
)
def test_domain_lists(domain, free, disposable):
    assert is_free_mail(domain, DOMAINS) is free
    assert is_disposable(domain, DOMAINS) is disposable


def test_explicit_table():
    table = lexicon({"free": {"brands": ["acmemail"], "domains": []},
                     "disposable": {"domains": ["x.io"]}})
    assert is_free_mail("acmemail.de", table)
    assert not is_free_mail("gmail.com", table)
    assert is_disposable("a.x.io", table)
    assert company_from_email("jo@acmemail.de", table) is None


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("marisol@redwoodrides.com", "Redwood Rides"),
        ("x@tanrahim-law.sg", "Tanrahim Law"),
        ("curtis@lakeshore-auto.com", "Lakeshore Auto"),
        ("jo@mail.acme.co.uk", "Acme"),
        ("ingrid@nyheter.se", "Nyheter"),
        ("a@fernhill_grocers.com", "Fernhill Grocers"),
        ("dana@gmail.com", None),
        ("dana@yahoo.co.uk", None),
        ("dana@web.de", None),
        ("dana@mailinator.com", None),
        ("nonsense", None),
    ],
)
def test_company_from_email(email, expected):
    assert company_from_email(email, DOMAINS) == expected


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("maria@sonoransmiles.com", "Sonoran Smiles"),
        ("coach@pulsefitnessqld.com.au", "Pulse Fitness Qld"),
        ("ops@brightpathlearning.co.uk", "Bright Path Learning"),
        ("info@harbourviewvets.co.za", "Harbour View Vets"),
        ("satis@istanbulkargo.com.tr", "Istanbul Kargo"),
        ("hello@oakandivy.ie", "Oak and Ivy"),
        ("jo@365cleaning.com", "365 Cleaning"),
        ("ana@kiwibikes.co.nz", "Kiwi Bikes"),
        # a label that does not split into common words stays whole
        ("marko@kovac.hr", "Kovac"),
        ("kasia@zielonyogrod.pl", "Zielonyogrod"),
        ("x@nyheter.se", "Nyheter"),
        # hyphens are the owner's own word breaks
        ("ops@kovac-logistics.hr", "Kovac Logistics"),
        ("a@4seasons-hvac.co.uk", "4seasons Hvac"),
        # a customer's sub-domain on a platform
        ("it@acmefoods.onmicrosoft.com", "Acme Foods"),
        # placeholders and free mail name nobody's company
        ("me@example.com", None),
        ("test@test.com", None),
        ("me@info.com", None),
        ("someone@gmx.de", None),
        ("someone@hotmail.co.uk", None),
    ],
)
def test_company_from_email_splits_domains_into_words(email, expected):
    assert company_from_email(email, DOMAINS) == expected


def test_generic_domains_from_the_policy_table():
    table = lexicon({"free": {}, "disposable": {}, "generic": {"domains": ["placeholder.io"]}})
    assert company_from_email("jo@placeholder.io", table) is None
    assert company_from_email("jo@sonoransmiles.com", table) == "Sonoran Smiles"


@pytest.mark.parametrize(("email", "region"), [
    ("ops@harbourfreight.co.uk", "GB"), ("info@baeckerei-lenz.de", "DE"),
    ("kim@tallis.com.au", "AU"), ("sam@acme.com", None), ("dev@tooling.io", None),
    ("x@y.co", None), ("not an email", None), (None, None),
])
def test_the_country_code_domain_of_an_address_hints_a_region(email, region) -> None:
    assert email_region(email) == region
