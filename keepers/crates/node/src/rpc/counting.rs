//! Counts every JSON-RPC call the node answers, and every error among the answers
//! (`baton_rpc_requests_total`, `baton_rpc_errors_total`), as a middleware of the node's
//! server: whatever serves a method (the node's own `baton_*` and ledger `eth_*`, or baton-l2's
//! `eth_*`, `debug_*` and subscriptions on the EVM chain), an unknown method, and each call of
//! a batch count alike.

use crate::{metrics::Metrics, shared::Shared};
use jsonrpsee::server::middleware::rpc::{
    Batch, BatchEntry, MethodResponse, Notification, Request, RpcServiceT,
};
use std::sync::{Arc, atomic::Ordering};

/// The counting layer around the server's service (one per connection), counting into the
/// node's metrics.
pub struct CountCalls<S, C> {
    service: S,
    shared: Arc<Shared<C>>,
}

impl<S: Clone, C> Clone for CountCalls<S, C> {
    fn clone(&self) -> Self {
        Self {
            service: self.service.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<S, C> CountCalls<S, C> {
    /// Counts what `service` answers into `shared`'s metrics.
    pub fn new(service: S, shared: Arc<Shared<C>>) -> Self {
        Self { service, shared }
    }
}

impl<S, C> RpcServiceT for CountCalls<S, C>
where
    C: Send + 'static,
    S: RpcServiceT<
            MethodResponse = MethodResponse,
            BatchResponse = MethodResponse,
            NotificationResponse = MethodResponse,
        > + Clone
        + Send
        + Sync
        + 'static,
{
    type MethodResponse = MethodResponse;
    type NotificationResponse = MethodResponse;
    type BatchResponse = MethodResponse;

    fn call<'a>(&self, request: Request<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        let (service, shared) = (self.service.clone(), self.shared.clone());
        async move {
            let response = service.call(request).await;
            count(&shared.metrics, 1, u64::from(response.is_error()));
            response
        }
    }

    /// The server answers a batch's calls without passing them through [`Self::call`], so the
    /// calls are counted here and the errors read off the batch's answer.
    fn batch<'a>(&self, batch: Batch<'a>) -> impl Future<Output = MethodResponse> + Send + 'a {
        let calls = batch
            .iter()
            .filter(|entry| !matches!(entry, Ok(BatchEntry::Notification(_))))
            .count() as u64;
        let (service, shared) = (self.service.clone(), self.shared.clone());
        async move {
            let response = service.batch(batch).await;
            count(
                &shared.metrics,
                calls,
                errors_in_batch(response.as_json().get()),
            );
            response
        }
    }

    fn notification<'a>(
        &self,
        notification: Notification<'a>,
    ) -> impl Future<Output = MethodResponse> + Send + 'a {
        self.service.notification(notification)
    }
}

fn count(metrics: &Metrics, calls: u64, errors: u64) {
    metrics.rpc_requests.fetch_add(calls, Ordering::Relaxed);
    metrics.rpc_errors.fetch_add(errors, Ordering::Relaxed);
}

/// The error answers in a batch's answer: an array of answers, or one error for the whole
/// batch (too large, empty, ...), which counts once.
fn errors_in_batch(json: &str) -> u64 {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Array(answers)) => answers
            .iter()
            .filter(|answer| answer.get("error").is_some())
            .count() as u64,
        Ok(answer) => u64::from(answer.get("error").is_some()),
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::errors_in_batch;

    #[test]
    fn a_batch_answer_counts_its_errors() {
        let answers = r#"[{"jsonrpc":"2.0","id":1,"result":"0x1"},
            {"jsonrpc":"2.0","id":2,"error":{"code":-32602,"message":"bad"}},
            {"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"no such method"}}]"#;
        assert_eq!(errors_in_batch(answers), 2);
        let whole = r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32010,"message":"too big"}}"#;
        assert_eq!(errors_in_batch(whole), 1);
        assert_eq!(errors_in_batch("[]"), 0);
    }
}
