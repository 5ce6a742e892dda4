#!/usr/bin/python3
"""Smoke check of the servers start.sh runs: real Keystone, the
keystone-protected cinder-api / manila-api pair, and the noauth pair.

    python3 scripts/openstack/check-keystone.py        # reads $OPENSTACK_WORKDIR/env

Prints one line per check (expected and actual status) and exits 1 if any
differs. Standard library only. It creates a few objects with unique names
(volume, group and share types, a group, a share group) and deletes them
again at the end.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

ENV_FILE = os.path.join(os.environ.get("OPENSTACK_WORKDIR", "/tmp/groupgraph-openstack"), "env")
env = {}
with open(ENV_FILE) as f:
    for line in f:
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            env[k] = v
if "KEYSTONE_URL" not in env:
    sys.exit(f"{ENV_FILE} has no KEYSTONE_URL: start.sh ran with OPENSTACK_KEYSTONE=0?")

KS = env["KEYSTONE_URL"]
ALPHA, BETA = env["GG_ALPHA_PROJECT_ID"], env["GG_BETA_PROJECT_ID"]
CV = {"OpenStack-API-Version": "volume 3.70"}
MV = {"X-OpenStack-Manila-API-Version": "2.55"}
failures = 0


def cinder(project):
    return env["CINDER_KEYSTONE_URL"].replace("{project_id}", project)


def manila(project):
    return env["MANILA_KEYSTONE_URL"].replace("{project_id}", project)


def http(method, url, token=None, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("X-Auth-Token", token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, hdrs, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, e.headers, e.read()
    try:
        doc = json.loads(raw) if raw else None
    except ValueError:
        doc = raw.decode(errors="replace")
    return status, hdrs, doc


def check(what, expected, got, detail=""):
    global failures
    ok = got == expected
    failures += not ok
    print(f"{'ok  ' if ok else 'FAIL'} {what}: expected {expected}, got {got}{'  ' + detail if detail else ''}")
    return ok


def token(prefix, project_id):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": env[f"{prefix}_USER"], "domain": {"id": "default"}, "password": env[f"{prefix}_PASSWORD"]}}},
        "scope": {"project": {"id": project_id}}}}
    status, hdrs, _ = http("POST", f"{KS}/auth/tokens", body=body)
    check(f"POST /v3/auth/tokens as {env[prefix + '_USER']}", 201, status)
    return hdrs.get("X-Subject-Token")


def short(doc):
    return json.dumps(doc)[:160] if doc is not None else ""


# ---- Keystone ---------------------------------------------------------------
member = token("GG_ALPHA_MEMBER", ALPHA)
reader = token("GG_ALPHA_READER", ALPHA)
admin = token("GG_ALPHA_ADMIN", ALPHA)
beta = token("GG_BETA_MEMBER", BETA)

status, _, doc = http("GET", f"{KS}/auth/tokens", member, headers={"X-Subject-Token": member})
check("GET /v3/auth/tokens (member validates itself)", 200, status)
t = doc["token"]
check("  token user", env["GG_ALPHA_MEMBER_USER"], t["user"]["name"])
check("  token project", ALPHA, t["project"]["id"])
check("  token roles", ["member", "reader"], sorted(r["name"] for r in t["roles"]))
public = {(s["type"], e["region"]): e["url"] for s in t["catalog"] for e in s["endpoints"] if e["interface"] == "public"}
check("  catalog block-storage public URL", cinder(ALPHA), public.get(("block-storage", "RegionOne")))
check("  catalog shared-file-system public URL", manila(ALPHA), public.get(("shared-file-system", "RegionOne")))
status, _, _ = http("GET", f"{KS}/auth/tokens", member, headers={"X-Subject-Token": "bogus"})
check("GET /v3/auth/tokens with a bogus subject token", 404, status)

# ---- reads, refusals ----------------------------------------------------------
check("member GET cinder /groups", 200, http("GET", f"{cinder(ALPHA)}/groups", member, headers=CV)[0])
check("member GET manila /share-groups (2.55)", 200, http("GET", f"{manila(ALPHA)}/share-groups", member, headers=MV)[0])
status, _, doc = http("POST", f"{cinder(ALPHA)}/group_types", reader, {"group_type": {"name": "gt-never"}}, CV)
check("reader POST cinder /group_types", 403, status, short(doc))
status, _, doc = http("GET", f"{cinder(ALPHA)}/groups", "bogus", headers=CV)
check("bogus token GET cinder /groups", 401, status, short(doc))
check("bogus token GET manila /share-groups", 401, http("GET", f"{manila(ALPHA)}/share-groups", "bogus", headers=MV)[0])
check("no token GET cinder /groups", 401, http("GET", f"{cinder(ALPHA)}/groups", headers=CV)[0])
status, _, doc = http("GET", f"{cinder(ALPHA)}/groups", beta, headers=CV)
check("gg-beta token on a gg-alpha URL", 400, status, short(doc))

# ---- writes by role -----------------------------------------------------------
tag = f"ks-check-{int(time.time())}"
status, _, doc = http("POST", f"{cinder(ALPHA)}/types", admin, {"volume_type": {"name": f"{tag}-vt"}}, CV)
check("admin POST cinder /types", 200, status)
vt = doc["volume_type"]["id"]
status, _, doc = http("POST", f"{cinder(ALPHA)}/group_types", admin, {"group_type": {"name": f"{tag}-gt"}}, CV)
check("admin POST cinder /group_types", 202, status)
gt = doc["group_type"]["id"]
new_group = {"group": {"name": f"{tag}-g", "group_type": gt, "volume_types": [vt]}}
status, _, doc = http("POST", f"{cinder(ALPHA)}/groups", reader, new_group, CV)
check("reader POST cinder /groups", 403, status, short(doc))
status, _, doc = http("POST", f"{cinder(ALPHA)}/groups", member, new_group, CV)
check("member POST cinder /groups", 202, status)
g = doc["group"]["id"]
status, _, doc = http("PUT", f"{cinder(ALPHA)}/groups/{g}", reader, {"group": {"description": "x"}}, CV)
check("reader PUT cinder /groups/{id}", 403, status, short(doc))
check("member PUT cinder /groups/{id}", 202,
      http("PUT", f"{cinder(ALPHA)}/groups/{g}", member, {"group": {"description": "by member"}}, CV)[0])
check("gg-beta member GET the gg-alpha group (own URL)", 404, http("GET", f"{cinder(BETA)}/groups/{g}", beta, headers=CV)[0])
status, _, doc = http("GET", f"{cinder(BETA)}/groups?all_tenants=1", beta, headers=CV)
check("gg-beta member all_tenants=1 sees the gg-alpha group", False, any(x["id"] == g for x in doc["groups"]))
status, _, doc = http("GET", f"{cinder(ALPHA)}/groups/detail?all_tenants=1", admin, headers=CV)
check("gg-alpha admin all_tenants=1 sees the group", True, status == 200 and any(x["id"] == g for x in doc["groups"]))

status, _, doc = http("POST", f"{manila(ALPHA)}/types", admin, {"share_type": {
    "name": f"{tag}-st", "extra_specs": {"driver_handles_share_servers": "false"}}}, MV)
check("admin POST manila /types", 200, status)
st = doc["share_type"]["id"]
status, _, doc = http("POST", f"{manila(ALPHA)}/share-group-types", admin,
                      {"share_group_type": {"name": f"{tag}-sgt", "share_types": [st]}}, MV)
check("admin POST manila /share-group-types", 200, status)
sgt = doc["share_group_type"]["id"]
new_sg = {"share_group": {"name": f"{tag}-sg", "share_group_type_id": sgt, "share_types": [st]}}
status, _, doc = http("POST", f"{manila(ALPHA)}/share-groups", reader, new_sg, MV)
check("reader POST manila /share-groups", 403, status, short(doc))
status, _, doc = http("POST", f"{manila(ALPHA)}/share-groups", member, new_sg, MV)
check("member POST manila /share-groups", 202, status)
sg = doc["share_group"]["id"]
check("gg-beta member GET the gg-alpha share group", 404,
      http("GET", f"{manila(BETA)}/share-groups/{sg}", beta, headers=MV)[0])

# ---- clean up (no host: deleted at once) -------------------------------------
check("member DELETE manila share group", 202, http("DELETE", f"{manila(ALPHA)}/share-groups/{sg}", member, headers=MV)[0])
check("member delete cinder group", 202, http("POST", f"{cinder(ALPHA)}/groups/{g}/action", member,
                                              {"delete": {"delete-volumes": False}}, CV)[0])
check("admin DELETE share group type", 204, http("DELETE", f"{manila(ALPHA)}/share-group-types/{sgt}", admin, headers=MV)[0])
check("admin DELETE share type", 202, http("DELETE", f"{manila(ALPHA)}/types/{st}", admin, headers=MV)[0])
check("admin DELETE group type", 202, http("DELETE", f"{cinder(ALPHA)}/group_types/{gt}", admin, headers=CV)[0])
check("admin DELETE volume type", 202, http("DELETE", f"{cinder(ALPHA)}/types/{vt}", admin, headers=CV)[0])

# ---- the noauth pair is untouched ---------------------------------------------
for name, url in (("cinder", env["CINDER_URL"]), ("manila", env["MANILA_URL"])):
    root = url.split("/v")[0] + "/"
    check(f"noauth {name} GET /", 300, http("GET", root)[0])
check("noauth cinder GET /groups", 200, http("GET", f"{env['CINDER_URL']}/groups", env["OPENSTACK_TOKEN"], headers=CV)[0])
check("noauth manila GET /share-groups", 200,
      http("GET", f"{env['MANILA_URL']}/share-groups", env["OPENSTACK_TOKEN"], headers=MV)[0])

print(f"{'all checks passed' if not failures else f'{failures} check(s) failed'}")
sys.exit(1 if failures else 0)
