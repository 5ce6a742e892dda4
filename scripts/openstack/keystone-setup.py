#!/usr/bin/python3
"""Create the test identities and the service catalog in a running Keystone.

Called by scripts/openstack/start-keystone.sh after `keystone-manage bootstrap`.
Uses only the standard library and Keystone's REST API with the bootstrap
admin's token. Idempotent: everything is looked up by name before it is
created, so a re-run on an existing database changes nothing (except what is
out of date: a service user whose password is not KEYSTONE_SERVICE_PASSWORD,
an endpoint whose URL changed with a port).

Settings come from the environment (all required):
  KEYSTONE_URL                 http://127.0.0.1:<port>/v3
  KEYSTONE_ADMIN_PASSWORD      password of the bootstrap user "admin"
  KEYSTONE_SERVICE_PASSWORD    password of the "cinder" and "manila" service users
  CINDER_KEYSTONE_ENDPOINT     catalog URL of the keystone-protected cinder-api
  MANILA_KEYSTONE_ENDPOINT     catalog URL of the keystone-protected manila-api
  KEYSTONE_ENV_OUT             file to write the KEY=value lines to

The endpoints contain "%(project_id)s", which Keystone fills in the catalog
of a project-scoped token; the env file gets them with "{project_id}".

Test users get the password "<user name>-pw".
"""
import json
import os
import sys
import urllib.error
import urllib.request

REGION = "RegionOne"
DOMAIN = "default"

URL = os.environ["KEYSTONE_URL"].rstrip("/")
ADMIN_PASSWORD = os.environ["KEYSTONE_ADMIN_PASSWORD"]
SERVICE_PASSWORD = os.environ["KEYSTONE_SERVICE_PASSWORD"]
OUT = os.environ["KEYSTONE_ENV_OUT"]

# (service name, type, public URL). The facade looks services up by type;
# the old aliases (volumev3, sharev2) are left out on purpose so that a test
# against this catalog sees the current type names only.
SERVICES = [
    ("cinder", "block-storage", os.environ["CINDER_KEYSTONE_ENDPOINT"]),
    ("manila", "shared-file-system", os.environ["MANILA_KEYSTONE_ENDPOINT"]),
]

# project -> [(user, role)]. Role "admin" implies "member", which implies "reader".
PROJECTS = {
    "gg-alpha": [("gg-alpha-member", "member"), ("gg-alpha-reader", "reader"), ("gg-alpha-admin", "admin")],
    "gg-beta": [("gg-beta-member", "member"), ("gg-beta-reader", "reader")],
}

created = []


def log(msg):
    print(f"[openstack-keystone] {msg}", file=sys.stderr, flush=True)


def call(method, path, body=None, token=None, ok=(200, 201, 204)):
    """One request; returns (status, headers, parsed JSON or None)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(URL + path, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("X-Auth-Token", token)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            status, headers, raw = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        status, headers, raw = e.code, e.headers, e.read()
    if status not in ok:
        sys.exit(f"[openstack-keystone] ERROR: {method} {path} -> {status}: {raw[:500].decode(errors='replace')}")
    return status, headers, (json.loads(raw) if raw else None)


def password_auth(user, password, project=None):
    ident = {"methods": ["password"],
             "password": {"user": {"name": user, "domain": {"id": DOMAIN}, "password": password}}}
    auth = {"identity": ident}
    if project:
        auth["scope"] = {"project": {"name": project, "domain": {"id": DOMAIN}}}
    return call("POST", "/auth/tokens", {"auth": auth}, ok=(201, 401))


status, headers, _ = password_auth("admin", ADMIN_PASSWORD, "admin")
if status != 201:
    sys.exit("[openstack-keystone] ERROR: the bootstrap admin cannot log in (KEYSTONE_ADMIN_PASSWORD changed?)")
TOKEN = headers["X-Subject-Token"]


def get(path):
    return call("GET", path, token=TOKEN)[2]


def one(items, what):
    if len(items) > 1:
        sys.exit(f"[openstack-keystone] ERROR: several {what}")
    return items[0] if items else None


def ensure_project(name):
    p = one(get(f"/projects?name={name}&domain_id={DOMAIN}")["projects"], f"projects named {name}")
    if p is None:
        p = call("POST", "/projects", {"project": {"name": name, "domain_id": DOMAIN,
                                                    "description": "groupgraph test project"}}, TOKEN)[2]["project"]
        created.append(f"project {name}")
    return p["id"]


def ensure_user(name, password, project_id, check_password=False):
    """check_password: log in to see whether an existing user's password is still
    the one given (the service password can be changed through the environment;
    the test users' passwords are fixed), and set it if not."""
    u = one(get(f"/users?name={name}&domain_id={DOMAIN}")["users"], f"users named {name}")
    if u is None:
        u = call("POST", "/users", {"user": {"name": name, "domain_id": DOMAIN, "password": password,
                                             "default_project_id": project_id, "enabled": True}}, TOKEN)[2]["user"]
        created.append(f"user {name}")
    elif check_password and password_auth(name, password)[0] != 201:
        call("PATCH", f"/users/{u['id']}", {"user": {"password": password, "enabled": True}}, TOKEN)
        created.append(f"password of {name}")
    return u["id"]


ROLE_IDS = {}


def role_id(name):
    if name not in ROLE_IDS:
        r = one(get(f"/roles?name={name}")["roles"], f"roles named {name}")
        if r is None:
            sys.exit(f"[openstack-keystone] ERROR: role {name} missing (keystone-manage bootstrap creates it)")
        ROLE_IDS[name] = r["id"]
    return ROLE_IDS[name]


def assign(project_id, user_id, role):
    # PUT is idempotent: 204 whether or not the assignment existed.
    call("PUT", f"/projects/{project_id}/users/{user_id}/roles/{role_id(role)}", token=TOKEN)


def ensure_service(name, stype, url):
    s = one([x for x in get(f"/services?type={stype}")["services"] if x["name"] == name],
            f"{stype} services named {name}")
    if s is None:
        s = call("POST", "/services", {"service": {"name": name, "type": stype, "enabled": True,
                                                    "description": f"{name} (keystone-protected, groupgraph CI)"}},
                 TOKEN)[2]["service"]
        created.append(f"service {name} ({stype})")
    e = one(get(f"/endpoints?service_id={s['id']}&interface=public&region_id={REGION}")["endpoints"],
            f"public endpoints of {name} in {REGION}")
    if e is None:
        call("POST", "/endpoints", {"endpoint": {"service_id": s["id"], "interface": "public", "region_id": REGION,
                                                  "url": url, "enabled": True}}, TOKEN)
        created.append(f"endpoint {url}")
    elif e["url"] != url or not e.get("enabled", True):
        call("PATCH", f"/endpoints/{e['id']}", {"endpoint": {"url": url, "enabled": True}}, TOKEN)
        created.append(f"endpoint {url} (was {e['url']})")


service_project = ensure_project("service")
for svc in ("cinder", "manila"):
    assign(service_project, ensure_user(svc, SERVICE_PASSWORD, service_project, check_password=True), "admin")

lines = [
    f"KEYSTONE_URL={URL}",
    "KEYSTONE_ADMIN_USER=admin",
    f"KEYSTONE_ADMIN_PASSWORD={ADMIN_PASSWORD}",
    "KEYSTONE_ADMIN_PROJECT_NAME=admin",
    f"KEYSTONE_DOMAIN_ID={DOMAIN}",
]
for name, _, url in SERVICES:
    lines.append(f"{name.upper()}_KEYSTONE_URL={url.replace('%(project_id)s', '{project_id}')}")
for project, members in PROJECTS.items():
    pid = ensure_project(project)
    prefix = project.upper().replace("-", "_")  # gg-alpha -> GG_ALPHA
    lines += [f"{prefix}_PROJECT_NAME={project}", f"{prefix}_PROJECT_ID={pid}"]
    for user, role in members:
        password = f"{user}-pw"
        assign(pid, ensure_user(user, password, pid), role)
        key = f"{prefix}_{role.upper()}"
        lines += [f"{key}_USER={user}", f"{key}_PASSWORD={password}"]

for name, stype, url in SERVICES:
    ensure_service(name, stype, url)

log("created or fixed: " + ", ".join(created) if created else "all identities and catalog entries already there")
with open(OUT + ".tmp", "w") as f:
    f.write("\n".join(lines) + "\n")
os.replace(OUT + ".tmp", OUT)
