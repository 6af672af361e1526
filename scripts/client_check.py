"""simple_salesforce against a running devorg: part of scripts/client-check (which installs the
pinned simple-salesforce into a venv, starts devorg with --tls and runs this with the venv's Python).

    DEVORG_URL=https://127.0.0.1:PORT DEVORG_TOKEN=00D…!… REQUESTS_CA_BUNDLE=ca.pem \
        python scripts/client_check.py

Logs in with a session id (an access token from devorg's client credentials flow) and the
instance URL, then drives the REST and Bulk API 2.0 calls a script would make, printing one
PASS/FAIL/SKIP line per step. Exits 1 when any step failed.
"""

import csv
import io
import os
import sys
import tempfile
import traceback

from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceResourceNotFound

RESULTS = []
TAG = f"PYCC-{os.getpid()}"


def step(name):
    """Runs the decorated function at once as one step: PASS when it returns, FAIL when it raises."""

    def run(fn):
        try:
            detail = fn()
            RESULTS.append(("PASS", name))
            print(f"PASS  python: {name}" + (f" ({detail})" if detail else ""), flush=True)
        except Exception as err:  # noqa: BLE001 - any failure of the client is the step's failure
            RESULTS.append(("FAIL", name))
            print(f"FAIL  python: {name}: {type(err).__name__}: {err}", flush=True)
            traceback.print_exc(limit=3, file=sys.stderr)
        return fn

    return run


def skip(name, reason):
    RESULTS.append(("SKIP", name))
    print(f"SKIP  python: {name}: {reason}", flush=True)


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


url = os.environ["DEVORG_URL"]
token = os.environ["DEVORG_TOKEN"]
sf = Salesforce(session_id=token, instance_url=url)
state = {}


@step("login with session_id + instance_url (sf.restful(''): the version's resources)")
def _():
    resources = sf.restful("")
    expect(isinstance(resources, dict), f"not an object: {resources!r}")
    for key in ("sobjects", "query", "search", "limits"):
        expect(key in resources, f"no {key!r} in {sorted(resources)}")
    expect(resources["query"] == f"/services/data/v{sf.sf_version}/query", resources["query"])
    return f"{len(resources)} resources at v{sf.sf_version}"


skip(
    "login with username/password or consumer key/secret",
    "simple_salesforce builds the token URL as https://{domain}.salesforce.com (SOAP login for "
    "passwords), so it cannot reach a local org; the script gets the token from devorg's client "
    "credentials flow with curl",
)


@step("sf.query SELECT Id, Name FROM Account ORDER BY Name LIMIT 5")
def _():
    res = sf.query("SELECT Id, Name FROM Account ORDER BY Name LIMIT 5")
    expect(res["totalSize"] == 5 and len(res["records"]) == 5, f"totalSize {res['totalSize']}")
    expect(res["done"] is True, "not done")
    names = [r["Name"] for r in res["records"]]
    expect(names == sorted(names, key=str.lower) or names == sorted(names), f"not sorted: {names}")
    return names[0]


@step("sf.query_all over several pages (Sforce-Query-Options batchSize=200)")
def _():
    count = sf.query("SELECT COUNT() FROM Account")["totalSize"]
    res = sf.query_all(
        "SELECT Id, Name FROM Account", headers={"Sforce-Query-Options": "batchSize=200"}
    )
    ids = {r["Id"] for r in res["records"]}
    expect(count > 200, f"only {count} accounts: no second page")
    expect(res["totalSize"] == count, f"totalSize {res['totalSize']} != COUNT() {count}")
    expect(len(ids) == count, f"{len(ids)} distinct records != {count}")
    return f"{count} records"


@step("sf.Account.create")
def _():
    res = sf.Account.create({"Name": f"{TAG} Create", "Industry": "Energy"})
    expect(res["success"] is True and res["id"].startswith("001"), repr(res))
    state["id"] = res["id"]
    return res["id"]


@step("sf.Account.get")
def _():
    rec = sf.Account.get(state["id"])
    expect(rec["Name"] == f"{TAG} Create", rec["Name"])
    expect(rec["Industry"] == "Energy", rec["Industry"])
    expect(rec["attributes"]["type"] == "Account", rec["attributes"])


@step("sf.Account.update")
def _():
    status = sf.Account.update(state["id"], {"Name": f"{TAG} Updated"})
    expect(status == 204, f"status {status}")
    expect(sf.Account.get(state["id"])["Name"] == f"{TAG} Updated", "name unchanged")


@step("sf.Account.upsert + get_by_custom_id (External_Id__c)")
def _():
    key = f"{TAG}-UPSERT"
    created = sf.Account.upsert(f"External_Id__c/{key}", {"Name": f"{TAG} Upserted"})
    expect(created == 201, f"first upsert status {created}")
    updated = sf.Account.upsert(f"External_Id__c/{key}", {"Industry": "Retail"})
    expect(updated in (200, 204), f"second upsert status {updated}")
    rec = sf.Account.get_by_custom_id("External_Id__c", key)
    expect(rec["Name"] == f"{TAG} Upserted" and rec["Industry"] == "Retail", repr(rec["Name"]))
    sf.Account.delete(rec["Id"])


@step("sf.Account.delete (then get → 404 ENTITY_IS_DELETED)")
def _():
    status = sf.Account.delete(state["id"])
    expect(status == 204, f"status {status}")
    try:
        sf.Account.get(state["id"])
    except SalesforceResourceNotFound as err:
        expect("ENTITY_IS_DELETED" in str(err), str(err))
    else:
        raise AssertionError("deleted record still readable")


@step("sf.Account.describe / sf.describe")
def _():
    fields = {f["name"] for f in sf.Account.describe()["fields"]}
    expect({"Id", "Name", "External_Id__c"} <= fields, f"fields {sorted(fields)[:10]}")
    names = {o["name"] for o in sf.describe()["sobjects"]}
    expect("Account" in names, f"sobjects {names}")
    return f"{len(fields)} Account fields"


@step("sf.bulk2.Account.upsert (records, External_Id__c)")
def _():
    records = [
        {"Name": f"{TAG} Bulk {i}", "External_Id__c": f"{TAG}-B{i}", "Industry": "Energy"}
        for i in range(3)
    ]
    records.append({"Name": f'{TAG} "Quoted", Co', "External_Id__c": f"{TAG}-B3", "Industry": ""})
    res = sf.bulk2.Account.upsert(records=records, external_id_field="External_Id__c")
    processed = sum(int(r["numberRecordsProcessed"]) for r in res)
    failed = sum(int(r["numberRecordsFailed"]) for r in res)
    expect(processed == 4 and failed == 0, repr(res))
    rec = sf.Account.get_by_custom_id("External_Id__c", f"{TAG}-B3")
    expect(rec["Name"] == f'{TAG} "Quoted", Co', repr(rec["Name"]))
    state["upsert_job"] = res[0]["job_id"]
    return f"job {res[0]['job_id']}"


@step("sf.bulk2.Account.get_successful_records (the upsert's results)")
def _():
    text = sf.bulk2.Account.get_successful_records(state["upsert_job"])
    rows = csv_rows(text)
    expect(len(rows) == 4, f"{len(rows)} rows")
    expect(all(r["sf__Created"] == "true" and r["sf__Id"].startswith("001") for r in rows), rows)


@step("sf.bulk2.Account.insert (csv_file)")
def _():
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as f:
        f.write("Name,Industry\n")
        f.write(f"{TAG} Insert 1,Energy\n{TAG} Insert 2,Retail\n")
        path = f.name
    try:
        res = sf.bulk2.Account.insert(csv_file=path)
    finally:
        os.unlink(path)
    processed = sum(int(r["numberRecordsProcessed"]) for r in res)
    failed = sum(int(r["numberRecordsFailed"]) for r in res)
    expect(processed == 2 and failed == 0, repr(res))


@step("sf.bulk2.Account.query (CSV pages)")
def _():
    pages = list(
        sf.bulk2.Account.query(f"SELECT Id, Name FROM Account WHERE Name LIKE '{TAG}%'")
    )
    rows = [row for page in pages for row in csv_rows(page)]
    names = sorted(r["Name"] for r in rows)
    expect(len(rows) == 6, f"{len(rows)} rows: {names}")
    expect(f'{TAG} "Quoted", Co' in names, names)
    state["bulk_ids"] = [r["Id"] for r in rows]
    return f"{len(rows)} rows"


@step("sf.bulk2.Account.query with max_records=2 (locator paging)")
def _():
    pages = list(
        sf.bulk2.Account.query(
            f"SELECT Id FROM Account WHERE Name LIKE '{TAG}%'", max_records=2
        )
    )
    rows = [row for page in pages for row in csv_rows(page)]
    expect(len(pages) == 3 and len(rows) == 6, f"{len(pages)} pages, {len(rows)} rows")


@step("sf.bulk2.Account.delete (records with Id)")
def _():
    res = sf.bulk2.Account.delete(records=[{"Id": i} for i in state["bulk_ids"]])
    processed = sum(int(r["numberRecordsProcessed"]) for r in res)
    expect(processed == 6 and all(int(r["numberRecordsFailed"]) == 0 for r in res), repr(res))
    left = sf.query(f"SELECT COUNT() FROM Account WHERE Name LIKE '{TAG}%'")["totalSize"]
    expect(left == 0, f"{left} left")


@step("sf.query_all include_deleted (queryAll)")
def _():
    res = sf.query_all(
        f"SELECT Id, IsDeleted FROM Account WHERE Name LIKE '{TAG}%'", include_deleted=True
    )
    expect(res["totalSize"] >= 6, f"totalSize {res['totalSize']}")
    expect(all(r["IsDeleted"] for r in res["records"]), "a live record")


@step("sf.search FIND {Organic} RETURNING Account(Id, Name)")
def _():
    res = sf.search("FIND {Organic} RETURNING Account(Id, Name)")
    names = [r["Name"] for r in res["searchRecords"]]
    expect("100% Organic Farms" in names, names)
    return f"{len(names)} found"


@step("sf.quick_search Organic")
def _():
    # Without RETURNING, Salesforce returns each record's Id alone.
    organic = sf.query("SELECT Id FROM Account WHERE Name = '100% Organic Farms'")["records"]
    res = sf.quick_search("Organic")
    ids = [r["Id"] for r in res["searchRecords"]]
    expect(organic and organic[0]["Id"] in ids, repr(res))
    expect(all(set(r) == {"Id", "attributes"} for r in res["searchRecords"]), repr(res))


@step("sf.limits()")
def _():
    limits = sf.limits()
    daily = limits["DailyApiRequests"]
    expect(0 < daily["Remaining"] <= daily["Max"], repr(daily))
    expect(sf.api_usage.get("api-usage") is not None, f"api_usage {sf.api_usage}")
    return f"DailyApiRequests {daily['Remaining']}/{daily['Max']}"


failed = [name for verdict, name in RESULTS if verdict == "FAIL"]
print(
    f"python: {sum(v == 'PASS' for v, _ in RESULTS)} passed, {len(failed)} failed, "
    f"{sum(v == 'SKIP' for v, _ in RESULTS)} skipped",
    flush=True,
)
sys.exit(1 if failed else 0)
