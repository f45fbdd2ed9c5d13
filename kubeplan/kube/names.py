"""Name and format rules of the Kubernetes API, with apimachinery's exact messages.

Each function returns the list of messages Go's function of the same name returns (empty when
the value is valid), so a caller builds `Invalid value: "x": <message>` exactly as the API
server does. Sources:
- staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go (`IsDNS1123Label`,
  `IsDNS1123Subdomain`, `IsDNS1035Label`, `IsValidPortName`, `IsEnvVarName`, `RegexError`, ...);
- staging/src/k8s.io/apimachinery/pkg/api/validate/content/{kube,identifier}.go (`IsLabelKey`,
  the former `IsQualifiedName`, and `IsLabelValue`, `IsCIdentifier`; since 1.35 the old names
  in util/validation are aliases of these);
- staging/src/k8s.io/apimachinery/pkg/api/validation/generic.go (`NameIsDNSSubdomain`,
  `NameIsDNSLabel`, `NameIsDNS1035Label`, `maskTrailingDash`);
- staging/src/k8s.io/apimachinery/pkg/api/validation/path/name.go (`IsValidPathSegmentName`).

Go's `len` counts bytes and its `regexp` `^...$` anchors the whole text (no newline before
`$`): both are reproduced (`_blen`, `re.fullmatch`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
DNS1035_LABEL_MAX_LENGTH = 63
LABEL_VALUE_MAX_LENGTH = 63
QUALIFIED_NAME_MAX_LENGTH = 63
# The last release whose IsQualifiedName says "a qualified name" for a key with two slashes;
# from 1.35 it is content.IsLabelKey, which says "a valid label key".
_QUALIFIED_NAME_WORDING_UNTIL = 34

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_FMT_UNDERSCORE = "_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_ERR = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-',"
    " and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_ERR = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-'"
    " or '.', and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_FMT_UNDERSCORE = (
    _DNS1123_LABEL_FMT_UNDERSCORE + "(\\." + _DNS1123_LABEL_FMT_UNDERSCORE + ")*"
)
_DNS1123_SUBDOMAIN_ERR_UNDERSCORE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_',"
    " '-' or '.', and must start and end with an alphanumeric character"
)
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_ERR = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with"
    " an alphabetic character, and end with an alphanumeric character"
)
_WILDCARD_FMT = "\\*\\." + _DNS1123_SUBDOMAIN_FMT
_WILDCARD_ERR = (
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain,"
    " which must consist of lower case alphanumeric characters, '-' or '.' and end with an"
    " alphanumeric character"
)
_LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_KEY_ERR = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an"
    " alphanumeric character"
)
_LABEL_VALUE_FMT = "(" + _LABEL_KEY_FMT + ")?"
_LABEL_VALUE_ERR = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or"
    " '.', and must start and end with an alphanumeric character"
)
_C_IDENTIFIER_FMT = "[A-Za-z_][A-Za-z0-9_]*"
_C_IDENTIFIER_ERR = (
    "a valid C identifier must start with alphabetic character or '_', followed by a string of"
    " alphanumeric characters or '_'"
)
_ENV_VAR_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"
_ENV_VAR_NAME_ERR = (
    "a valid environment variable name must consist of alphabetic characters, digits, '_',"
    " '-', or '.', and must not start with a digit"
)
_RELAXED_ENV_VAR_NAME_ERR = (
    "a valid environment variable name must consist only of printable ASCII characters other"
    " than '='"
)
_CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"
_CONFIG_MAP_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
_PERCENT_FMT = "[0-9]+%"
_PERCENT_ERR = "a valid percent string must be a numeric string followed by an ending '%'"
_HTTP_HEADER_NAME_FMT = "[-A-Za-z0-9]+"
_HTTP_HEADER_NAME_ERR = "a valid HTTP header must consist of alphanumeric characters or '-'"

_DNS1123_LABEL_RE = re.compile(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN_RE = re.compile(_DNS1123_SUBDOMAIN_FMT)
_DNS1123_SUBDOMAIN_UNDERSCORE_RE = re.compile(_DNS1123_SUBDOMAIN_FMT_UNDERSCORE)
_DNS1035_LABEL_RE = re.compile(_DNS1035_LABEL_FMT)
_WILDCARD_RE = re.compile(_WILDCARD_FMT)
_LABEL_KEY_RE = re.compile(_LABEL_KEY_FMT)
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)
_C_IDENTIFIER_RE = re.compile(_C_IDENTIFIER_FMT)
_ENV_VAR_NAME_RE = re.compile(_ENV_VAR_NAME_FMT)
_CONFIG_MAP_KEY_RE = re.compile(_CONFIG_MAP_KEY_FMT)
_PERCENT_RE = re.compile(_PERCENT_FMT)
_HTTP_HEADER_NAME_RE = re.compile(_HTTP_HEADER_NAME_FMT)
_PORT_NAME_CHARSET_RE = re.compile("[-a-z0-9]+")
_PORT_NAME_ONE_LETTER_RE = re.compile("[a-z]")

MAX_USER_ID = 0xFFFFFFFF
MAX_GROUP_ID = 0xFFFFFFFF

NameFunc = Callable[[str, bool], list[str]]


def _blen(value: str) -> int:
    """Go's `len(string)`: bytes of the UTF-8 encoding."""
    return len(value.encode("utf-8", "surrogatepass"))


def max_len_error(length: int) -> str:
    """`MaxLenError`."""
    return f"must be no more than {length} characters"


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """`RegexError`: the message, its examples, and the regex."""
    if not examples:
        return msg + " (regex used for validation is '" + fmt + "')"
    text = msg + " (e.g. "
    for index, example in enumerate(examples):
        if index > 0:
            text += " or "
        text += "'" + example + "', "
    return text + "regex used for validation is '" + fmt + "')"


def empty_error() -> str:
    """`EmptyError`."""
    return "must be non-empty"


def inclusive_range_error(lo: int, hi: int) -> str:
    """`InclusiveRangeError`."""
    return f"must be between {lo} and {hi}, inclusive"


def is_dns1123_label(value: str) -> list[str]:
    """`IsDNS1123Label`: at most 63 characters of `[a-z0-9-]`, alphanumeric at both ends."""
    errs = []
    if _blen(value) > DNS1123_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            errs.append("must not contain dots")
        else:
            errs.append(regex_error(_DNS1123_LABEL_ERR, _DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    """`IsDNS1123Subdomain`: DNS-1123 labels joined by dots, at most 253 characters."""
    errs = []
    if _blen(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errs.append(regex_error(_DNS1123_SUBDOMAIN_ERR, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def is_dns1123_subdomain_with_underscore(value: str) -> list[str]:
    """`IsDNS1123SubdomainWithUnderscore` (the relaxed DNS search domains)."""
    errs = []
    if _blen(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_UNDERSCORE_RE.fullmatch(value):
        errs.append(
            regex_error(
                _DNS1123_SUBDOMAIN_ERR_UNDERSCORE, _DNS1123_SUBDOMAIN_FMT_UNDERSCORE, "example.com"
            )
        )
    return errs


def is_dns1035_label(value: str) -> list[str]:
    """`IsDNS1035Label`: a DNS-1123 label that starts with a letter."""
    errs = []
    if _blen(value) > DNS1035_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1035_LABEL_MAX_LENGTH))
    if not _DNS1035_LABEL_RE.fullmatch(value):
        errs.append(regex_error(_DNS1035_LABEL_ERR, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


def is_wildcard_dns1123_subdomain(value: str) -> list[str]:
    """`IsWildcardDNS1123Subdomain`: `*.` followed by a subdomain."""
    errs = []
    if _blen(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _WILDCARD_RE.fullmatch(value):
        errs.append(regex_error(_WILDCARD_ERR, _WILDCARD_FMT, "*.example.com"))
    return errs


def is_qualified_name(value: str, minor: int = 99) -> list[str]:
    """`IsQualifiedName` / `content.IsLabelKey`: an optional DNS subdomain prefix and `/`, then
    a name of at most 63 characters of `[-A-Za-z0-9_.]`, alphanumeric at both ends.

    `minor` picks the wording for a value with two or more slashes, which changed in 1.35."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part " + empty_error())
        else:
            errs.extend("prefix part " + msg for msg in is_dns1123_subdomain(prefix))
    else:
        what = (
            "a qualified name " if minor <= _QUALIFIED_NAME_WORDING_UNTIL else "a valid label key "
        )
        return [
            what
            + regex_error(_LABEL_KEY_ERR, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part " + empty_error())
    elif _blen(name) > QUALIFIED_NAME_MAX_LENGTH:
        errs.append("name part " + max_len_error(QUALIFIED_NAME_MAX_LENGTH))
    if not _LABEL_KEY_RE.fullmatch(name):
        errs.append(
            "name part "
            + regex_error(_LABEL_KEY_ERR, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
        )
    return errs


def is_valid_label_value(value: str) -> list[str]:
    """`IsValidLabelValue` / `content.IsLabelValue`: empty, or a label-key name part."""
    errs = []
    if _blen(value) > LABEL_VALUE_MAX_LENGTH:
        errs.append(max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errs.append(regex_error(_LABEL_VALUE_ERR, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def is_c_identifier(value: str) -> list[str]:
    """`IsCIdentifier`."""
    if _C_IDENTIFIER_RE.fullmatch(value):
        return []
    return [regex_error(_C_IDENTIFIER_ERR, _C_IDENTIFIER_FMT, "my_name", "MY_NAME", "MyName")]


def _has_chdir_prefix(value: str) -> list[str]:
    """`hasChDirPrefix`."""
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    if value.startswith(".."):
        return ["must not start with '..'"]
    return []


def is_env_var_name(value: str) -> list[str]:
    """`IsEnvVarName`: the strict rule, before RelaxedEnvironmentVariableValidation."""
    errs = []
    if not _ENV_VAR_NAME_RE.fullmatch(value):
        errs.append(
            regex_error(
                _ENV_VAR_NAME_ERR, _ENV_VAR_NAME_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1"
            )
        )
    return errs + _has_chdir_prefix(value)


def is_relaxed_env_var_name(value: str) -> list[str]:
    """`IsRelaxedEnvVarName`: non-empty, printable ASCII (space included), no `=`."""
    errs = []
    if not value:
        errs.append("environment variable name " + empty_error())
    for char in value:
        if not (0x20 <= ord(char) <= 0x7E) or char == "=":
            errs.append(_RELAXED_ENV_VAR_NAME_ERR)
            break
    return errs


def is_config_map_key(value: str) -> list[str]:
    """`IsConfigMapKey`: `[-._a-zA-Z0-9]+`, at most 253, not `.`, `..` or a `..` prefix."""
    errs = []
    if _blen(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _CONFIG_MAP_KEY_RE.fullmatch(value):
        errs.append(
            regex_error(
                _CONFIG_MAP_KEY_ERR, _CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name"
            )
        )
    return errs + _has_chdir_prefix(value)


def is_valid_port_num(port: int) -> list[str]:
    """`IsValidPortNum`: 1 to 65535."""
    if 1 <= port <= 65535:
        return []
    return [inclusive_range_error(1, 65535)]


def is_valid_port_name(port: str) -> list[str]:
    """`IsValidPortName`: an IANA_SVC_NAME (at most 15 of `[-a-z0-9]`, one letter at least,
    no `--`, no hyphen at either end)."""
    errs = []
    if _blen(port) > 15:
        errs.append(max_len_error(15))
    if not _PORT_NAME_CHARSET_RE.fullmatch(port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_ONE_LETTER_RE.search(port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def is_valid_percent(percent: str) -> list[str]:
    """`IsValidPercent`."""
    if _PERCENT_RE.fullmatch(percent):
        return []
    return [regex_error(_PERCENT_ERR, _PERCENT_FMT, "1%", "93%")]


def is_http_header_name(value: str) -> list[str]:
    """`IsHTTPHeaderName`."""
    if _HTTP_HEADER_NAME_RE.fullmatch(value):
        return []
    return [regex_error(_HTTP_HEADER_NAME_ERR, _HTTP_HEADER_NAME_FMT, "X-Header-Name")]


def is_valid_user_id(uid: int) -> list[str]:
    """`IsValidUserID`: 0 to 2^32-1 (the bound of the newest releases; older ones said
    2^31-1, so a UID between the two is not reported for them)."""
    if 0 <= uid <= MAX_USER_ID:
        return []
    return [inclusive_range_error(0, MAX_USER_ID)]


def is_valid_group_id(gid: int) -> list[str]:
    """`IsValidGroupID`, with the bound of `is_valid_user_id`."""
    if 0 <= gid <= MAX_GROUP_ID:
        return []
    return [inclusive_range_error(0, MAX_GROUP_ID)]


def is_valid_path_segment_name(name: str) -> list[str]:
    """`path.IsValidPathSegmentName`: not `.` or `..`, and no `/` or `%`."""
    for illegal in (".", ".."):
        if name == illegal:
            return [f"may not be '{illegal}'"]
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in name]


def is_valid_path_segment_prefix(name: str) -> list[str]:
    """`path.IsValidPathSegmentPrefix`."""
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in name]


def mask_trailing_dash(name: str) -> str:
    """`maskTrailingDash`: a generateName may end with `-`. Go replaces the last *two*
    characters with `a` (`name[:len(name)-2] + "a"`), and so does this."""
    if name.endswith("-"):
        return name[:-2] + "a" if len(name) >= 2 else "a"
    return name


def name_is_dns_subdomain(name: str, prefix: bool) -> list[str]:
    """`NameIsDNSSubdomain`."""
    return is_dns1123_subdomain(mask_trailing_dash(name) if prefix else name)


def name_is_dns_label(name: str, prefix: bool) -> list[str]:
    """`NameIsDNSLabel` (= `ValidateNamespaceName`)."""
    return is_dns1123_label(mask_trailing_dash(name) if prefix else name)


def name_is_dns1035_label(name: str, prefix: bool) -> list[str]:
    """`NameIsDNS1035Label` (= core `ValidateServiceName`)."""
    return is_dns1035_label(mask_trailing_dash(name) if prefix else name)


def validate_path_segment_name(name: str, prefix: bool) -> list[str]:
    """`path.ValidatePathSegmentName`."""
    return is_valid_path_segment_prefix(name) if prefix else is_valid_path_segment_name(name)
