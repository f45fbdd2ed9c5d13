"""kubeplan.kube.names against apimachinery's own tables.

Cases are taken from staging/src/k8s.io/apimachinery/pkg/util/validation/validation_test.go
(TestIsDNS1123Label, TestIsDNS1123Subdomain, TestIsDNS1035Label, TestIsQualifiedName,
TestIsValidLabelValue, TestIsValidPortName, TestIsConfigMapKey, TestIsEnvVarName,
TestIsRelaxedEnvVarName, TestIsValidPercent, TestIsHTTPHeaderName) and
staging/src/k8s.io/apimachinery/pkg/api/validation/path/name_test.go
(TestValidatePathSegmentName), value by value.
"""

from __future__ import annotations

import pytest

from kubeplan.kube import names

DNS1123_LABEL_GOOD = ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", "0", "01", "012", "1a"]
DNS1123_LABEL_GOOD += ["1-a", "1--a--b--2", "a" * 63]
DNS1123_LABEL_BAD = ["", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1"]
DNS1123_LABEL_BAD += ["_", "a_", "_a", "a_b", "1_", "_1", "1_2", ".", "a.", ".a", "a.b", "1."]
DNS1123_LABEL_BAD += [".1", "1.2", " ", "a ", " a", "a b", "1 ", " 1", "1 2", "a" * 64]


@pytest.mark.parametrize("value", DNS1123_LABEL_GOOD)
def test_dns1123_label_good(value: str) -> None:
    # TestIsDNS1123Label goodValues
    assert names.is_dns1123_label(value) == []


@pytest.mark.parametrize("value", DNS1123_LABEL_BAD)
def test_dns1123_label_bad(value: str) -> None:
    # TestIsDNS1123Label badValues
    assert names.is_dns1123_label(value)


SUBDOMAIN_GOOD = ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", "0", "01", "012", "1a", "1-a"]
SUBDOMAIN_GOOD += ["1--a--b--2", "a.a", "ab.a", "abc.a", "a1.a", "a-1.a", "a--1--2--b.a", "a.1"]
SUBDOMAIN_GOOD += ["0.a", "01.a", "1-a.a", "a.b.c.d.e", "aa.bb.cc.dd.ee", "1.2.3.4.5"]
SUBDOMAIN_GOOD += ["11.22.33.44.55", "a" * 253]
SUBDOMAIN_BAD = ["", "A", "ABC", "aBc", "A1", "A-1", "1-A", "-", "a-", "-a", "1-", "-1", "_"]
SUBDOMAIN_BAD += ["a_", "_a", "a_b", "1_", "_1", "1_2", ".", "a.", ".a", "a..b", "1.", ".1"]
SUBDOMAIN_BAD += ["1..2", " ", "a ", " a", "a b", "1 ", " 1", "1 2", "A.a", "aB.a", "ab.A"]
SUBDOMAIN_BAD += ["A1.a", "a1.A", "A.1", "aB.1", "A1.1", "1A.1", "0.A", "01.A", "012.A"]
SUBDOMAIN_BAD += ["1A.a", "1a.A", "A.B.C.D.E", "AA.BB.CC.DD.EE", "a.B.c.d.e", "aa.bB.cc.dd.ee"]
SUBDOMAIN_BAD += ["a@b", "a,b", "a_b", "a;b", "a:b", "a%b", "a?b", "a$b", "a" * 254]


@pytest.mark.parametrize("value", SUBDOMAIN_GOOD)
def test_dns1123_subdomain_good(value: str) -> None:
    # TestIsDNS1123Subdomain goodValues
    assert names.is_dns1123_subdomain(value) == []


@pytest.mark.parametrize("value", SUBDOMAIN_BAD)
def test_dns1123_subdomain_bad(value: str) -> None:
    # TestIsDNS1123Subdomain badValues
    assert names.is_dns1123_subdomain(value)


@pytest.mark.parametrize("value", ["a", "ab", "abc", "a1", "a-1", "a--1--2--b", "a" * 63])
def test_dns1035_label_good(value: str) -> None:
    # TestIsDNS1035Label goodValues
    assert names.is_dns1035_label(value) == []


@pytest.mark.parametrize(
    "value", ["0", "01", "012", "1a", "1-a", "1--a--b--2", "", "A", "a-", "-a", "a.b", "a" * 64]
)
def test_dns1035_label_bad(value: str) -> None:
    # TestIsDNS1035Label badValues
    assert names.is_dns1035_label(value)


QUALIFIED_GOOD = ["simple", "now-with-dashes", "1-starts-with-num", "1234", "simple/simple"]
QUALIFIED_GOOD += ["now-with-dashes/simple", "now-with-dashes/now-with-dashes"]
QUALIFIED_GOOD += ["now.with.dots/simple", "now-with.dashes-and.dots/simple", "1-num.2-num/3-num"]
QUALIFIED_GOOD += ["1234/5678", "1.2.3.4/5678", "Uppercase_Is_OK_123"]
QUALIFIED_GOOD += ["example.com/Uppercase_Is_OK_123", "requests.storage-foo", "a" * 63]
QUALIFIED_GOOD += ["a" * 253 + "/" + "b" * 63]
QUALIFIED_BAD = ["nospecialchars%^=@", "cantendwithadash-", "-cantstartwithadash-"]
QUALIFIED_BAD += ["only/one/slash", "Example.com/abc", "example_com/abc", "example.com/"]
QUALIFIED_BAD += ["/simple", "a" * 64, "a" * 254 + "/abc"]


@pytest.mark.parametrize("value", QUALIFIED_GOOD)
def test_qualified_name_good(value: str) -> None:
    # TestIsQualifiedName successCases
    assert names.is_qualified_name(value) == []


@pytest.mark.parametrize("value", QUALIFIED_BAD)
def test_qualified_name_bad(value: str) -> None:
    # TestIsQualifiedName errorCases
    assert names.is_qualified_name(value)


@pytest.mark.parametrize(
    "value",
    ["simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234", "a" * 63, ""],
)
def test_label_value_good(value: str) -> None:
    # TestIsValidLabelValue successCases
    assert names.is_valid_label_value(value) == []


@pytest.mark.parametrize(
    "value",
    [
        "nospecialchars%^=@",
        "Tama-nui-te-rā.is_the_Māori_sun",
        "\\backslashes\\are\\bad",
        "-starts-with-dash",
        "ends-with-dash-",
        ".starts.with.dot",
        "ends.with.dot.",
        "a" * 64,
    ],
)
def test_label_value_bad(value: str) -> None:
    # TestIsValidLabelValue errorCases
    assert names.is_valid_label_value(value)


@pytest.mark.parametrize(
    "value", ["telnet", "re-mail-ck", "pop3", "a", "a-1", "1-a", "a-1-b-2-c", "1-a-2-b-3"]
)
def test_port_name_good(value: str) -> None:
    # TestIsValidPortName goodValues
    assert names.is_valid_port_name(value) == []


@pytest.mark.parametrize(
    "value",
    [
        "longerthan15characters",
        "",
        "a" * 16,
        "12345",
        "1-2-3-4",
        "-begin",
        "end-",
        "two--hyphens",
        "whois++",
    ],
)
def test_port_name_bad(value: str) -> None:
    # TestIsValidPortName badValues
    assert names.is_valid_port_name(value)


@pytest.mark.parametrize(
    "value",
    [
        "a",
        "good",
        "good-good",
        "still.good",
        "this.is.also.good",
        ".so.is.this",
        "THIS_IS_GOOD",
        "so_is_this_17",
        "a" * 253,
    ],
)
def test_config_map_key_good(value: str) -> None:
    # TestIsConfigMapKey successCases (and the 253 limit)
    assert names.is_config_map_key(value) == []


@pytest.mark.parametrize("value", [".", "..", "..bad", "b*d", "bad!&bad", "", "a/b", "a" * 254])
def test_config_map_key_bad(value: str) -> None:
    # TestIsConfigMapKey failureCases (then the empty key, a slash, the 253 limit)
    assert names.is_config_map_key(value)


@pytest.mark.parametrize(
    "value", ["A", "ABC", "AbC_123", "_123", "abc", "-", "._", "a.b", "a-b", "my.env-name"]
)
def test_env_var_name_good(value: str) -> None:
    # IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*, not '.', '..' or a '..' prefix
    assert names.is_env_var_name(value) == []


@pytest.mark.parametrize("value", ["1", "123", "a b", "a=b", "a!b", ".", "..", "..a", ""])
def test_env_var_name_bad(value: str) -> None:
    # IsEnvVarName: leading digit, space, '=', '!', the chdir names, empty
    assert names.is_env_var_name(value)


@pytest.mark.parametrize("value", ["1", "123", "a b", "a!b", "~a", "a.b"])
def test_relaxed_env_var_name_good(value: str) -> None:
    # IsRelaxedEnvVarName: printable ASCII other than '=' is accepted.
    assert names.is_relaxed_env_var_name(value) == []


@pytest.mark.parametrize("value", ["", "a=b", "a\tb", "é"])
def test_relaxed_env_var_name_bad(value: str) -> None:
    assert names.is_relaxed_env_var_name(value)


@pytest.mark.parametrize("value", [".", "..", "a/b", "a%b"])
def test_path_segment_bad(value: str) -> None:
    # path/name_test.go TestValidatePathSegmentName illegal cases
    assert names.is_valid_path_segment_name(value)


@pytest.mark.parametrize("value", ["a", "a.b", "...", "system:controller:x", "A B"])
def test_path_segment_good(value: str) -> None:
    assert names.is_valid_path_segment_name(value) == []


def test_messages_are_gos_byte_for_byte() -> None:
    """RegexError output, including Go's double space before `or`."""
    assert names.is_dns1123_subdomain("Web_App") == [
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters,"
        " '-' or '.', and must start and end with an alphanumeric character (e.g."
        " 'example.com', regex used for validation is"
        " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    ]
    assert names.is_dns1123_label("a_b") == [
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-',"
        " and must start and end with an alphanumeric character (e.g. 'my-name',  or"
        " '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    ]
    assert names.is_dns1123_label("a.b") == ["must not contain dots"]
    assert names.is_dns1123_label("a" * 64) == ["must be no more than 63 characters"]
    assert names.is_valid_port_num(70000) == ["must be between 1 and 65535, inclusive"]
    assert names.is_valid_port_name("12345") == ["must contain at least one letter (a-z)"]


def test_qualified_name_parts() -> None:
    assert names.is_qualified_name("/simple") == ["prefix part must be non-empty"]
    assert names.is_qualified_name("example.com/") == [
        "name part must be non-empty",
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start"
        " and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or"
        " '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    ]


def test_qualified_name_two_slashes_wording_changed_in_1_35() -> None:
    """util/validation.IsQualifiedName said "a qualified name"; since 1.35 it is
    content.IsLabelKey, which says "a valid label key"."""
    assert names.is_qualified_name("a/b/c", 34)[0].startswith("a qualified name must consist")
    assert names.is_qualified_name("a/b/c", 35)[0].startswith("a valid label key must consist")


def test_go_len_counts_bytes() -> None:
    # 32 two-byte characters: 64 bytes, too long for a label value (Go's len).
    assert names.is_valid_label_value("é" * 32)[0] == "must be no more than 63 characters"


def test_mask_trailing_dash_is_gos() -> None:
    # generic.go maskTrailingDash: name[:len(name)-2] + "a"
    assert names.mask_trailing_dash("web-") == "wea"
    assert names.name_is_dns_subdomain("web-", True) == []
    assert names.name_is_dns_subdomain("web-", False)
