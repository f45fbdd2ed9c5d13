"""The Kubernetes CEL functions that CRD rules use and the engine lacks, in Python.

Each is a port of k8s.io/apiserver/pkg/cel/library/<file>.go (cited per group below) and of
cel-go's ext/sets.go. The engine (cel-expr-python, Google's cel-cpp) cannot carry Python
objects as CEL values, so the Kubernetes types (Quantity, URL, IP, CIDR) are CEL maps marked
with `KIND`; their member functions take and return such maps. A function that raises gives
a CEL error, reported as the API server reports an evaluation error.

Not here (a rule that uses them is a warning, never a false error): the Format library
(`format.named`, `format.dns1123Label()...validate`: 1.31), Semver (1.33), Authz (VAP only),
`string(ip)` / `string(cidr)` conversions, and the Lists library's `indexOf`/`lastIndexOf` on
lists (the engine's strings extension owns those names, and it cannot overload them).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any
from urllib.parse import urlsplit

from kubeplan.kube.quantity import parse as parse_quantity_text

KIND = "__kubeplan_cel_type__"
MAX_REGEX_INPUT = 1 << 16  # find/findAll on longer strings: an error, not minutes of backtracking


def _marked(kind: str, **fields: Any) -> dict[str, Any]:
    return {KIND: kind, **fields}


def _expect(value: Any, kind: str) -> dict[str, Any]:
    if not isinstance(value, dict) or value.get(KIND) != kind:
        raise ValueError("no such overload")
    return value


# --- Quantity (library/quantity.go, 1.28) ------------------------------------------------------


def _amount(text: Any) -> Fraction:
    """resource.ParseQuantity (apimachinery pkg/api/resource/quantity.go): kube/quantity's."""
    parsed = parse_quantity_text(text) if isinstance(text, str) else None
    if parsed is None:
        raise ValueError("quantities must match the regular expression"
                         " '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")  # fmt: skip
    return parsed.value


def _quantity(text: str) -> dict[str, Any]:
    return _marked(
        "quantity", text=text, num=_amount(text).numerator, den=_amount(text).denominator
    )


def _q(value: Any) -> Fraction:
    q = _expect(value, "quantity")
    return Fraction(q["num"], q["den"])


def _from_fraction(value: Fraction) -> dict[str, Any]:
    return _marked("quantity", text=str(value), num=value.numerator, den=value.denominator)


def _is_quantity(text: str) -> bool:
    try:
        _amount(text)
    except ValueError:
        return False
    return True


def _compare(a: Fraction, b: Fraction) -> int:
    return (a > b) - (a < b)


def _as_integer(value: Any) -> int:
    amount = _q(value)
    if amount.denominator != 1 or not -(2**63) <= amount <= 2**63 - 1:
        raise ValueError("cannot convert value to integer")
    return int(amount)


def _plus(value: Any) -> Fraction:
    return Fraction(value) if isinstance(value, int) else _q(value)


# --- URL (library/urls.go) ---------------------------------------------------------------------


def _url(text: str) -> dict[str, Any]:
    """url(): net/url.ParseRequestURI; only absolute URIs and absolute paths."""
    if not isinstance(text, str) or not text or text.strip() != text or " " in text:
        raise ValueError(f"URL parse error during conversion from string: {text}")
    parts = urlsplit(text)
    if not parts.scheme and not text.startswith("/"):
        raise ValueError(f"URL parse error during conversion from string: {text}")
    return _marked(
        "url",
        scheme=parts.scheme,
        host=parts.netloc.rsplit("@", 1)[-1],
        path=parts.path,
        query=parts.query,
    )


def _is_url(text: str) -> bool:
    try:
        _url(text)
    except ValueError:
        return False
    return True


def _hostname(value: Any) -> str:
    host = _expect(value, "url")["host"]
    if host.startswith("["):
        return host[1 : host.find("]")]
    return host.rsplit(":", 1)[0] if ":" in host else host


def _port(value: Any) -> str:
    host = _expect(value, "url")["host"]
    tail = host[host.find("]") + 1 :] if host.startswith("[") else host
    return tail.rsplit(":", 1)[1] if ":" in tail else ""


def _query(value: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in _expect(value, "url")["query"].split("&"):
        if part:
            key, _, val = part.partition("=")
            out.setdefault(key, []).append(val)
    return out


# --- IP and CIDR (library/ip.go, library/cidr.go, 1.30) ----------------------------------------


def _parse_ip(text: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """netip.ParseAddr: no zones, and (ip.go) no IPv4-mapped IPv6; leading zeros refused."""
    if not isinstance(text, str) or "%" in text:
        raise ValueError(f"IP Address {text!r} parse error during conversion from string")
    address = ipaddress.ip_address(text)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        raise ValueError("IPv4-mapped IPv6 addresses are not allowed")
    return address


def _ip(text: str) -> dict[str, Any]:
    try:
        return _marked("ip", text=str(_parse_ip(text)), raw=text)
    except ValueError as error:
        raise ValueError(
            f"IP Address {text!r} parse error during conversion from string: {error}"
        ) from None


def _is_ip(text: str) -> bool:
    try:
        _parse_ip(text)
    except ValueError:
        return False
    return True


def _addr(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if isinstance(value, str):
        return _parse_ip(value)
    return ipaddress.ip_address(_expect(value, "ip")["text"])


def _parse_cidr(text: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """netip.ParsePrefix: the address need not be masked (cidr.go keeps it)."""
    if not isinstance(text, str) or "/" not in text:
        raise ValueError(f"network address parse error during conversion from string: {text}")
    address, _, bits = text.partition("/")
    _parse_ip(address)
    if not bits.isdigit() or (len(bits) > 1 and bits[0] == "0"):
        raise ValueError(f"network address parse error during conversion from string: {text}")
    return ipaddress.ip_network(text, strict=False)


def _cidr(text: str) -> dict[str, Any]:
    network = _parse_cidr(text)
    return _marked("cidr", text=text, ip=text.partition("/")[0], net=str(network))


def _is_cidr(text: str) -> bool:
    try:
        _parse_cidr(text)
    except ValueError:
        return False
    return True


def _net(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if isinstance(value, str):
        return _parse_cidr(value)
    return ipaddress.ip_network(_expect(value, "cidr")["net"])


def _contains_cidr(outer: Any, inner: Any) -> bool:
    a, b = _net(outer), _net(inner)
    return a.version == b.version and b.subnet_of(a)  # type: ignore[arg-type]


# --- Lists (library/lists.go) and regex (library/regex.go) -------------------------------------


def _sorted(items: list[Any]) -> bool:
    return all(items[i] <= items[i + 1] for i in range(len(items) - 1))


def _extreme(items: list[Any], pick: Callable[..., Any]) -> Any:
    if not items:
        raise ValueError(f"{pick.__name__}(list) called on empty list")
    return pick(items)


def _regex(pattern: str, text: str) -> re.Pattern[str]:
    if len(text) > MAX_REGEX_INPUT:
        raise ValueError("string too long for find/findAll")
    return re.compile(pattern)


def _find(text: str, pattern: str) -> str:
    match = _regex(pattern, text).search(text)
    return match.group(0) if match else ""


def _find_all(text: str, pattern: str, limit: int = -1) -> list[str]:
    found = [m.group(0) for m in _regex(pattern, text).finditer(text)]
    return found if limit < 0 else found[:limit]


def functions() -> list[tuple[str, str, list[str], str, bool, Callable[..., Any]]]:
    """(name, overload id, parameter types, result type, member?, impl) of every function.
    Types are the engine's names: string, int, double, bool, list, map."""
    s, i, d, b, lst, m = "string", "int", "double", "bool", "list", "map"
    return [
        # quantity.go
        ("quantity", "string_to_quantity", [s], m, False, _quantity),
        ("isQuantity", "is_quantity_string", [s], b, False, _is_quantity),
        ("sign", "quantity_sign", [m], i, True, lambda q: _compare(_q(q), Fraction(0))),
        ("isInteger", "quantity_is_integer", [m], b, True, lambda q: _q(q).denominator == 1),
        ("asInteger", "quantity_get_int", [m], i, True, _as_integer),
        ("asApproximateFloat", "quantity_get_float", [m], d, True, lambda q: float(_q(q))),
        ("isGreaterThan", "quantity_is_greater_than", [m, m], b, True, lambda a, c: _q(a) > _q(c)),
        ("isLessThan", "quantity_is_less_than", [m, m], b, True, lambda a, c: _q(a) < _q(c)),
        ("compareTo", "quantity_compare_to", [m, m], i, True, lambda a, c: _compare(_q(a), _q(c))),
        ("add", "quantity_add", [m, m], m, True, lambda a, c: _from_fraction(_q(a) + _plus(c))),
        ("add", "quantity_add_int", [m, i], m, True, lambda a, c: _from_fraction(_q(a) + _plus(c))),
        ("sub", "quantity_sub", [m, m], m, True, lambda a, c: _from_fraction(_q(a) - _plus(c))),
        ("sub", "quantity_sub_int", [m, i], m, True, lambda a, c: _from_fraction(_q(a) - _plus(c))),
        # urls.go
        ("url", "string_to_url", [s], m, False, _url),
        ("isURL", "is_url_string", [s], b, False, _is_url),
        ("getScheme", "url_get_scheme", [m], s, True, lambda u: _expect(u, "url")["scheme"]),
        ("getHost", "url_get_host", [m], s, True, lambda u: _expect(u, "url")["host"]),
        ("getHostname", "url_get_hostname", [m], s, True, _hostname),
        ("getPort", "url_get_port", [m], s, True, _port),
        ("getEscapedPath", "url_get_escaped_path", [m], s, True, lambda u: _expect(u, "url")["path"]),
        ("getQuery", "url_get_query", [m], m, True, _query),
        # ip.go
        ("ip", "string_to_ip", [s], m, False, _ip),
        ("isIP", "is_ip", [s], b, False, _is_ip),
        ("ip.isCanonical", "ip_is_canonical", [s], b, False, lambda t: str(_parse_ip(t)) == t),
        ("family", "ip_family", [m], i, True, lambda v: _addr(v).version),
        ("isUnspecified", "ip_is_unspecified", [m], b, True, lambda v: _addr(v).is_unspecified),
        ("isLoopback", "ip_is_loopback", [m], b, True, lambda v: _addr(v).is_loopback),
        ("isLinkLocalMulticast", "ip_is_link_local_multicast", [m], b, True,
         lambda v: _addr(v).is_multicast and _addr(v).is_link_local if _addr(v).version == 6
         else _addr(v) in ipaddress.ip_network("224.0.0.0/24")),
        ("isLinkLocalUnicast", "ip_is_link_local_unicast", [m], b, True,
         lambda v: _addr(v).is_link_local and not _addr(v).is_multicast),
        ("isGlobalUnicast", "ip_is_global_unicast", [m], b, True,
         lambda v: not (_addr(v).is_unspecified or _addr(v).is_loopback or _addr(v).is_multicast
                        or _addr(v).is_link_local or str(_addr(v)) == "255.255.255.255")),
        # cidr.go
        ("cidr", "string_to_cidr", [s], m, False, _cidr),
        ("isCIDR", "is_cidr", [s], b, False, _is_cidr),
        ("containsIP", "cidr_contains_ip_string", [m, s], b, True, lambda c, v: _addr(v) in _net(c)),
        ("containsIP", "cidr_contains_ip_ip", [m, m], b, True, lambda c, v: _addr(v) in _net(c)),
        ("containsCIDR", "cidr_contains_cidr_string", [m, s], b, True, _contains_cidr),
        ("containsCIDR", "cidr_contains_cidr", [m, m], b, True, _contains_cidr),
        ("ip", "cidr_ip", [m], m, True, lambda c: _ip(_expect(c, "cidr")["ip"])),
        ("masked", "cidr_masked", [m], m, True, lambda c: _cidr(str(_net(c)))),
        ("prefixLength", "cidr_prefix_length", [m], i, True, lambda c: _net(c).prefixlen),
        # lists.go
        ("isSorted", "list_is_sorted", [lst], b, True, _sorted),
        ("sum", "list_sum", [lst], "dyn", True, lambda x: sum(x) if x else 0),
        ("min", "list_min", [lst], "dyn", True, lambda x: _extreme(x, min)),
        ("max", "list_max", [lst], "dyn", True, lambda x: _extreme(x, max)),
        # regex.go
        ("find", "string_find_string", [s, s], s, True, _find),
        ("findAll", "string_find_all_string", [s, s], lst, True, _find_all),
        ("findAll", "string_find_all_string_int", [s, s, i], lst, True, _find_all),
        # cel-go ext/sets.go
        ("sets.contains", "list_sets_contains_list", [lst, lst], b, False,
         lambda a, c: all(x in a for x in c)),
        ("sets.equivalent", "list_sets_equivalent_list", [lst, lst], b, False,
         lambda a, c: all(x in c for x in a) and all(x in a for x in c)),
        ("sets.intersects", "list_sets_intersects_list", [lst, lst], b, False,
         lambda a, c: any(x in c for x in a)),
    ]  # fmt: skip
