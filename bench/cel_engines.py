"""Compare Python CEL engines on real CRD rules: python bench/cel_engines.py tests/data/cel/rules.yaml ENGINE
(ENGINE: celpy | cel | cel-expr; each engine installed in its own venv, see the figures in
kubeplan/schemas/cel/engine.py)."""

import json
import sys
import time

import yaml

with open(sys.argv[1]) as stream:
    RULES = yaml.safe_load(stream)["rules"]
ENGINE = sys.argv[2]


def mk_celpy():
    import celpy

    env = celpy.Environment()

    def compile_(rule):
        ast = env.compile(rule)
        return env.program(ast)

    def run(prog, act):
        a = {k: celpy.json_to_cel(v) for k, v in act.items()}
        return prog.evaluate(a)

    return compile_, run


def mk_cel_rust():
    import cel

    def compile_(rule):
        return cel.compile(rule)

    def run(prog, act):
        return prog.execute(act)

    return compile_, run


def mk_cel_expr():
    import cel_expr_python.cel as c
    from cel_expr_python.ext import ext_optional, ext_strings

    env = c.NewEnv(
        variables={"self": c.Type.DYN, "oldSelf": c.Type.DYN},
        extensions=[ext_strings.ExtStrings(), ext_optional.ExtOptional()],
    )

    def compile_(rule):
        return env.compile(rule)

    def run(prog, act):
        return prog.eval(data=act).value()

    return compile_, run


compile_, run = {"celpy": mk_celpy, "cel": mk_cel_rust, "cel-expr": mk_cel_expr}[ENGINE]()
compiled = right = total_cases = 0
bad = []
t_compile = t_eval = 0.0
for r in RULES:
    t = time.perf_counter()
    try:
        prog = compile_(r["rule"])
    except Exception as e:
        t_compile += time.perf_counter() - t
        bad.append(("compile", r["source"], str(e)[:100].replace("\n", " ")))
        continue
    t_compile += time.perf_counter() - t
    compiled += 1
    ok = True
    for case in r["cases"]:
        act = {"self": case["self"]}
        if "oldSelf" in case:
            act["oldSelf"] = case["oldSelf"]
        t = time.perf_counter()
        try:
            got = run(prog, act)
        except Exception as e:
            got = e
        t_eval += time.perf_counter() - t
        if (
            got is not case["want"]
            and not (isinstance(got, bool) and got == case["want"])
            and str(got) != str(case["want"])
        ):
            ok = False
            bad.append(("eval", r["source"], repr(got)[:100]))
            break
    right += ok
# speed: one representative rule evaluated many times
rule = "self.all(l1, self.exists_one(l2, l1.name == l2.name))"
data = [{"name": f"l{i}", "port": 80, "protocol": "HTTP"} for i in range(16)]
prog = compile_(rule)
n = 200
t = time.perf_counter()
for _ in range(n):
    run(prog, {"self": data})
per_eval = (time.perf_counter() - t) / n
t = time.perf_counter()
for _ in range(20):
    compile_(RULES[10]["rule"])
per_compile = (time.perf_counter() - t) / 20
print(
    json.dumps(
        {
            "engine": ENGINE,
            "rules": len(RULES),
            "compiled": compiled,
            "right": right,
            "compile_ms_total": round(t_compile * 1000, 1),
            "eval_ms_total": round(t_eval * 1000, 1),
            "listeners16_eval_ms": round(per_eval * 1000, 3),
            "compile_ms": round(per_compile * 1000, 3),
        }
    )
)
for b in bad:
    print("  ", *b)
