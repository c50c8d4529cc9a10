//! A plain JSON-RPC call, for the node methods alloy has no type for (`baton_*`).

use eyre::{WrapErr, bail};
use serde_json::{Value, json};
use std::time::Duration;

/// Calls `method` at `url`, returning its result or failing with the node's error.
pub(crate) async fn call(url: &str, method: &str, params: Value) -> eyre::Result<Value> {
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
    let response: Value = reqwest::Client::new()
        .post(url)
        .json(&body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .wrap_err_with(|| format!("cannot reach {url}"))?
        .json()
        .await
        .wrap_err_with(|| format!("{url} answered {method} with something that is not JSON"))?;
    if let Some(error) = response.get("error") {
        bail!(
            "{method} at {url} failed: {} (code {})",
            error["message"],
            error["code"]
        );
    }
    Ok(response["result"].clone())
}
