//! Several users per org (route tests, no sockets): who can log in, whom userinfo and the
//! identity URL describe, User in SOQL and sObject reads, and the OwnerId / CreatedById /
//! LastModifiedById rules on Account writes.

mod platform_support;

use axum::http::{Method, StatusCode};
use clap::Parser;
use devorg::{AppState, Config};
use platform_support::*;
use serde_json::{json, Value};

const V: &str = "/services/data/v60.0";

/// An org with the admin, an active Sam and an inactive Ivy.
fn team() -> (AppState, axum::Router) {
    org_with(Config::parse_from([
        "devorg",
        "--accounts",
        "6",
        "--user",
        "sam.jones@devorg.local:sampw:email=sam@example.com",
        "--user",
        "ivy@devorg.local:ivypw:inactive",
    ]))
}

async fn query(app: &axum::Router, token: &str, soql: &str) -> Value {
    let uri = format!("{V}/query?q={}", encode_query(soql));
    let reply = send(app, get_bearer(&uri, token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{soql}: {}", reply.body);
    reply.json()
}

async fn create(app: &axum::Router, token: &str, body: Value) -> Reply {
    send(
        app,
        json_bearer(
            Method::POST,
            &format!("{V}/sobjects/Account"),
            token,
            Some(body),
        ),
    )
    .await
}

fn user_id(state: &AppState, username: &str) -> String {
    state.org.user_named(username).unwrap().id.clone()
}

#[tokio::test]
async fn any_active_user_logs_in_with_their_own_password() {
    let (state, app) = team();
    let json = sign_in_as(&app, "SAM.JONES@devorg.local", "sampw", "api refresh_token").await;
    let sam = user_id(&state, "sam.jones@devorg.local");
    assert!(json["id"].as_str().unwrap().ends_with(&sam));
    let (_, challenge) = pkce_pair("x");
    // Someone else's password is a wrong password.
    let (wrong, _) = log_in(
        &app,
        &challenge,
        "api",
        "s",
        "sam.jones@devorg.local",
        "devorg",
    )
    .await;
    assert!(wrong
        .body
        .contains("Please check your username and password"));
    assert!(!wrong.body.contains(">Allow</button>"));
}

#[tokio::test]
async fn an_inactive_user_is_told_their_access_is_disabled() {
    let (_, app) = team();
    let (_, challenge) = pkce_pair("y");
    let (reply, _) = log_in(&app, &challenge, "api", "s", "ivy@devorg.local", "ivypw").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply
        .body
        .contains("Your access to salesforce.com has been disabled by your system administrator."));
    assert!(!reply.body.contains(">Allow</button>"));
    // With a wrong password the answer does not tell that the user exists.
    let (reply, _) = log_in(&app, &challenge, "api", "s", "ivy@devorg.local", "nope").await;
    assert!(reply
        .body
        .contains("Please check your username and password"));
}

#[tokio::test]
async fn userinfo_and_the_identity_url_speak_for_the_sessions_user() {
    let (state, app) = team();
    let sam = user_id(&state, "sam.jones@devorg.local");
    let admin = state.org.admin().id.clone();
    let json = sign_in_as(&app, "sam.jones@devorg.local", "sampw", "api refresh_token").await;
    let token = json["access_token"].as_str().unwrap();
    let info = send(&app, get_bearer("/services/oauth2/userinfo", token))
        .await
        .json();
    assert_eq!(info["user_id"], sam);
    assert_eq!(info["preferred_username"], "sam.jones@devorg.local");
    assert_eq!(info["name"], "Sam Jones");
    assert_eq!(info["email"], "sam@example.com");
    assert_eq!(info["given_name"], "Sam");

    let org = &state.org.org_id;
    let own = send(&app, get_bearer(&format!("/id/{org}/{sam}"), token))
        .await
        .json();
    assert_eq!(
        (own["username"].as_str(), own["asserted_user"].as_bool()),
        (Some("sam.jones@devorg.local"), Some(true))
    );
    // Another user of the org, with the api scope: their identity, not asserted for this token.
    let other = send(&app, get_bearer(&format!("/id/{org}/{admin}"), token)).await;
    assert_eq!(other.status, StatusCode::OK);
    let other = other.json();
    assert_eq!(other["username"], "admin@devorg.local");
    assert_eq!(other["asserted_user"], false);
    assert_eq!(
        other["urls"]["profile"],
        format!("{}/{admin}", state.base_url())
    );
    // An inactive user, and any user for a token without the api or full scope: Bad_Id.
    let ivy = user_id(&state, "ivy@devorg.local");
    let inactive = send(&app, get_bearer(&format!("/id/{org}/{ivy}"), token)).await;
    assert_eq!(
        (inactive.status, inactive.body.as_str()),
        (StatusCode::NOT_FOUND, "Bad_Id")
    );
    let id_only = sign_in_as(&app, "sam.jones@devorg.local", "sampw", "id").await;
    let id_token = id_only["access_token"].as_str().unwrap();
    let refused = send(&app, get_bearer(&format!("/id/{org}/{admin}"), id_token)).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let own = send(
        &app,
        get_bearer(&format!("/id/{org}/{}", &sam[..15]), id_token),
    )
    .await;
    assert_eq!(
        own.status,
        StatusCode::OK,
        "the 15-character id names the same user"
    );
}

#[tokio::test]
async fn soql_and_sobject_reads_see_every_user() {
    let (state, app) = team();
    let token = state.issue_test_token();
    let all = query(
        &app,
        &token,
        "SELECT Id, Username, Email, Name, IsActive, FirstName, LastName FROM User",
    )
    .await;
    assert_eq!(all["totalSize"], 3);
    assert_eq!(all["records"][0]["Username"], "admin@devorg.local");
    assert_eq!(all["records"][1]["Name"], "Sam Jones");
    assert_eq!(all["records"][1]["Email"], "sam@example.com");
    assert_eq!(all["records"][2]["IsActive"], false);
    assert_eq!(
        all["records"][2]["FirstName"],
        Value::Null,
        "ivy has only a last name"
    );
    assert_eq!(all["records"][2]["LastName"], "Ivy");
    let active = query(
        &app,
        &token,
        "SELECT Username FROM User WHERE IsActive = true ORDER BY Username DESC",
    )
    .await;
    let names: Vec<&str> = active["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["sam.jones@devorg.local", "admin@devorg.local"]);
    let like = query(
        &app,
        &token,
        "SELECT Id FROM User WHERE Email LIKE '%example.com' OR Name = 'ivy'",
    )
    .await;
    assert_eq!(like["totalSize"], 2);
    let count = query(
        &app,
        &token,
        "SELECT COUNT() FROM User WHERE IsActive = false",
    )
    .await;
    assert_eq!(count["totalSize"], 1);

    for user in state.org.users.iter() {
        let reply = send(
            &app,
            get_bearer(
                &format!("{V}/sobjects/User/{}?fields=Username,IsActive", user.id),
                &token,
            ),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json()["Username"], user.username);
    }
    let nobody = send(
        &app,
        get_bearer(&format!("{V}/sobjects/User/005000000000000AAA"), &token),
    )
    .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    let users = send(&app, from_loopback(get("/__devorg/users")))
        .await
        .json();
    assert_eq!(users["users"][1]["username"], "sam.jones@devorg.local");
    assert_eq!(users["users"][2]["isActive"], false);
    assert!(users["users"][0].get("password").is_none());
}

#[tokio::test]
async fn owner_defaults_to_the_session_user_and_must_be_an_active_user() {
    let (state, app) = team();
    let sam_token = state
        .issue_test_token_for("sam.jones@devorg.local")
        .unwrap();
    let sam = user_id(&state, "sam.jones@devorg.local");
    let admin = state.org.admin().id.clone();
    let ivy = user_id(&state, "ivy@devorg.local");

    let mine = create(&app, &sam_token, json!({"Name": "Sam's"}))
        .await
        .json();
    let theirs = create(
        &app,
        &sam_token,
        json!({"Name": "For admin", "OwnerId": admin}),
    )
    .await
    .json();
    let q = format!(
        "SELECT Name, OwnerId, Owner.Name, Owner.Username, Owner.Email FROM Account WHERE Id IN ('{}', '{}') ORDER BY Name",
        mine["id"].as_str().unwrap(),
        theirs["id"].as_str().unwrap()
    );
    let rows = query(&app, &sam_token, &q).await;
    assert_eq!(rows["records"][0]["OwnerId"], admin);
    assert_eq!(rows["records"][0]["Owner"]["Name"], "Devorg Admin");
    assert_eq!(rows["records"][1]["OwnerId"], sam);
    assert_eq!(
        rows["records"][1]["Owner"]["Username"],
        "sam.jones@devorg.local"
    );
    assert_eq!(rows["records"][1]["Owner"]["Email"], "sam@example.com");

    let inactive = create(&app, &sam_token, json!({"Name": "x", "OwnerId": ivy})).await;
    assert_eq!(inactive.status, StatusCode::BAD_REQUEST);
    assert_eq!(inactive.json()[0]["errorCode"], "INACTIVE_OWNER_OR_USER");
    assert!(inactive.json()[0]["message"]
        .as_str()
        .unwrap()
        .contains(&ivy));
    let unknown = create(
        &app,
        &sam_token,
        json!({"Name": "x", "OwnerId": "005000000000000AAA"}),
    )
    .await;
    assert_eq!(
        unknown.json()[0]["errorCode"],
        "INVALID_CROSS_REFERENCE_KEY"
    );
    let account_id = mine["id"].as_str().unwrap();
    let wrong_type = create(
        &app,
        &sam_token,
        json!({"Name": "x", "OwnerId": account_id}),
    )
    .await;
    assert_eq!(
        wrong_type.json()[0]["errorCode"],
        "FIELD_INTEGRITY_EXCEPTION"
    );
    let reassign = send(
        &app,
        json_bearer(
            Method::PATCH,
            &format!("{V}/sobjects/Account/{account_id}"),
            &sam_token,
            Some(json!({"OwnerId": ivy})),
        ),
    )
    .await;
    assert_eq!(reassign.json()[0]["errorCode"], "INACTIVE_OWNER_OR_USER");
}

#[tokio::test]
async fn created_and_last_modified_by_follow_the_sessions() {
    let (state, app) = team();
    let admin_token = state.issue_test_token();
    let sam_token = state
        .issue_test_token_for("sam.jones@devorg.local")
        .unwrap();
    let sam = user_id(&state, "sam.jones@devorg.local");
    let admin = state.org.admin().id.clone();
    let id = create(&app, &admin_token, json!({"Name": "Audit"}))
        .await
        .json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let read = |token: String| {
        let app = app.clone();
        let uri = format!("{V}/sobjects/Account/{id}?fields=CreatedById,LastModifiedById,CreatedBy.Name,LastModifiedBy.Username");
        async move { send(&app, get_bearer(&uri, &token)).await.json() }
    };
    let before = read(admin_token.clone()).await;
    assert_eq!(
        (
            before["CreatedById"].as_str(),
            before["LastModifiedById"].as_str()
        ),
        (Some(admin.as_str()), Some(admin.as_str()))
    );
    let patch = send(
        &app,
        json_bearer(
            Method::PATCH,
            &format!("{V}/sobjects/Account/{id}"),
            &sam_token,
            Some(json!({"Phone": "1"})),
        ),
    )
    .await;
    assert_eq!(patch.status, StatusCode::NO_CONTENT);
    let after = read(admin_token.clone()).await;
    assert_eq!(after["CreatedById"], admin);
    assert_eq!(after["LastModifiedById"], sam);
    assert_eq!(after["CreatedBy"]["Name"], "Devorg Admin");
    assert_eq!(
        after["LastModifiedBy"]["Username"],
        "sam.jones@devorg.local"
    );
    let by_sam = query(
        &app,
        &admin_token,
        &format!("SELECT Id FROM Account WHERE LastModifiedById = '{sam}'"),
    )
    .await;
    assert_eq!(by_sam["totalSize"], 1);
    // Collections writes are the session's too.
    let reply = send(
        &app,
        json_bearer(
            Method::POST,
            &format!("{V}/composite/sobjects"),
            &sam_token,
            Some(json!({"records": [{"attributes": {"type": "Account"}, "Name": "Batch"}]})),
        ),
    )
    .await
    .json();
    let batch = reply[0]["id"].as_str().unwrap();
    let row = query(
        &app,
        &admin_token,
        &format!("SELECT CreatedById, OwnerId FROM Account WHERE Id = '{batch}'"),
    )
    .await;
    assert_eq!(row["records"][0]["CreatedById"], sam);
    assert_eq!(row["records"][0]["OwnerId"], sam);
}

#[tokio::test]
async fn by_default_an_org_has_a_few_seeded_users_and_spreads_owners() {
    let (state, app) = org_with(Config {
        accounts: 60,
        ..Config::default()
    });
    let token = state.issue_test_token();
    let users = query(&app, &token, "SELECT Username, IsActive FROM User").await;
    assert_eq!(users["totalSize"], 4);
    assert_eq!(users["records"][0]["Username"], "admin@devorg.local");
    let owners = query(&app, &token, "SELECT OwnerId FROM Account").await;
    let mut distinct: Vec<&str> = owners["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["OwnerId"].as_str().unwrap())
        .collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "owned by the three active users");
    let first = query(
        &app,
        &token,
        "SELECT Owner.Name FROM Account ORDER BY Name LIMIT 1",
    )
    .await;
    assert_eq!(first["records"][0]["Owner"]["Name"], "Devorg Admin");
    // Another seed, other people.
    let other = AppState::new(Config {
        accounts: 0,
        seed: 2,
        ..Config::default()
    });
    let names = |s: &AppState| {
        s.org
            .users
            .iter()
            .map(|u| u.email.clone())
            .collect::<Vec<_>>()
    };
    assert_ne!(names(&state), names(&other));
    assert_eq!(names(&state)[1], names(&other)[1], "one person is in both");
}

#[tokio::test]
async fn a_username_declared_twice_is_a_configuration_error() {
    let config = Config::parse_from(["devorg", "--user", "ADMIN@devorg.local:x"]);
    let err = AppState::try_new(config).err().unwrap().to_string();
    assert!(err.contains("declared twice"), "{err}");
    assert!(Config::try_parse_from(["devorg", "--user", "no-at-sign:pw"]).is_err());
}
