//! What the Kubernetes manifests promise, checked against the binary itself: the gateway scales
//! on CPU between 1 and 3, no credential sits in a manifest body or the ConfigMap, every role
//! is probed on the right paths (readiness, not liveness, follows the database and broker),
//! every variable the binary reads is provided, and data lives on persistent volumes.
//! (`scripts/check-deploy.sh` validates the same files against the Kubernetes schema.)

use clap::CommandFactory;
use resortbot::config::Config;
use serde::Deserialize;
use serde_yaml::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// Every document of every manifest in `k8s/` but the kustomization.
fn manifests() -> Vec<Value> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("../k8s");
    let mut documents = Vec::new();
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|extension| extension == "yaml") && !path.ends_with("kustomization.yaml") {
            let text = std::fs::read_to_string(&path).unwrap();
            for document in serde_yaml::Deserializer::from_str(&text) {
                documents.push(Value::deserialize(document).unwrap());
            }
        }
    }
    documents
}

fn of_kind<'a>(documents: &'a [Value], kind: &str) -> Vec<&'a Value> {
    documents.iter().filter(|document| document["kind"] == kind).collect()
}

fn named<'a>(documents: &'a [Value], kind: &str, name: &str) -> &'a Value {
    of_kind(documents, kind)
        .into_iter()
        .find(|document| document["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn container(deployment: &Value) -> &Value {
    &deployment["spec"]["template"]["spec"]["containers"][0]
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// The keys of the Secret: the credentials.
fn credentials(documents: &[Value]) -> BTreeSet<String> {
    let secret = named(documents, "Secret", "resortbot-secrets");
    secret["stringData"].as_mapping().unwrap().keys().map(|key| text(key).to_owned()).collect()
}

/// The variables a container gets: the ConfigMap's keys and its own `env` names.
fn provided(documents: &[Value], deployment: &Value) -> BTreeSet<String> {
    let config = named(documents, "ConfigMap", "resortbot-config");
    let mut names: BTreeSet<String> =
        config["data"].as_mapping().unwrap().keys().map(|key| text(key).to_owned()).collect();
    let container = container(deployment);
    assert_eq!(container["envFrom"][0]["configMapRef"]["name"], "resortbot-config");
    for variable in container["env"].as_sequence().unwrap() {
        names.insert(text(&variable["name"]).to_owned());
    }
    names
}

const APP_DEPLOYMENTS: &[&str] = &["gateway", "worker-point", "worker-hotel", "worker-mypage"];

#[test]
fn the_gateway_scales_on_cpu_between_one_and_three() {
    let documents = manifests();
    let hpa = named(&documents, "HorizontalPodAutoscaler", "gateway");
    assert_eq!(hpa["apiVersion"], "autoscaling/v2");
    assert_eq!(hpa["spec"]["scaleTargetRef"]["kind"], "Deployment");
    assert_eq!(hpa["spec"]["scaleTargetRef"]["name"], "gateway");
    assert_eq!((hpa["spec"]["minReplicas"].as_u64(), hpa["spec"]["maxReplicas"].as_u64()), (Some(1), Some(3)));
    let target = &hpa["spec"]["metrics"][0]["resource"];
    assert_eq!((text(&target["name"]), target["target"]["averageUtilization"].as_u64()), ("cpu", Some(50)));
    let gateway = named(&documents, "Deployment", "gateway");
    assert!(gateway["spec"]["replicas"].is_null(), "the HPA owns the replica count");
    assert!(!text(&container(gateway)["resources"]["requests"]["cpu"]).is_empty(), "a CPU request to scale against");
}

#[test]
fn credentials_come_only_from_the_secret() {
    let documents = manifests();
    let credentials = credentials(&documents);
    for key in ["POSTGRES_PASSWORD", "RABBITMQ_PASSWORD", "ADMIN_TOKEN", "TELEGRAM_BOT_TOKEN", "DISCORD_BOT_TOKEN"] {
        assert!(credentials.contains(key), "the Secret holds {key}");
    }
    let secret = named(&documents, "Secret", "resortbot-secrets");
    for (key, value) in secret["stringData"].as_mapping().unwrap() {
        let value = text(value);
        assert!(
            value.is_empty() || value.starts_with("PLACEHOLDER") || text(key) == "RABBITMQ_USER",
            "{key:?} is a placeholder"
        );
    }
    let config = named(&documents, "ConfigMap", "resortbot-config");
    for key in config["data"].as_mapping().unwrap().keys() {
        assert!(!credentials.contains(text(key)), "{key:?} is a credential in the ConfigMap");
    }
    for document in of_kind(&documents, "Deployment").into_iter().chain(of_kind(&documents, "StatefulSet")) {
        for variable in container(document)["env"].as_sequence().into_iter().flatten() {
            let name = text(&variable["name"]);
            if credentials.contains(name) || name.ends_with("PASSWORD") || name.ends_with("_PASS") {
                assert_eq!(
                    variable["valueFrom"]["secretKeyRef"]["name"], "resortbot-secrets",
                    "{name} in {document:?}"
                );
            }
            // URLs with credentials are assembled from references, never written out.
            let value = text(&variable["value"]);
            if value.contains('@') {
                assert!(value.contains("$(") && !value.contains("guest"), "{name} = {value}");
            }
        }
    }
}

#[test]
fn every_role_is_probed_on_the_right_paths_and_drains_before_it_stops() {
    let documents = manifests();
    for name in APP_DEPLOYMENTS {
        let deployment = named(&documents, "Deployment", name);
        let container = container(deployment);
        assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz", "{name}");
        assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz", "{name}");
        assert_eq!(container["startupProbe"]["httpGet"]["path"], "/healthz", "{name}");
        assert_eq!(container["ports"][0]["containerPort"].as_u64(), Some(8080));
        assert!(container["lifecycle"]["preStop"].is_mapping(), "{name} pauses before SIGTERM");
        let grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"].as_u64().unwrap();
        // A publish waits at most 15 s for the broker; the preStop pause comes on top.
        assert!(grace >= 30, "{name}: {grace} s");
        assert_eq!(deployment["spec"]["template"]["metadata"]["annotations"]["prometheus.io/path"], "/metrics");
    }
    let config = named(&documents, "ConfigMap", "resortbot-config");
    assert_eq!(config["data"]["HTTP_ADDR"], "0.0.0.0:8080");
}

#[test]
fn every_variable_the_binary_reads_is_provided() {
    let documents = manifests();
    let read: BTreeSet<String> = Config::command()
        .get_arguments()
        .filter_map(|argument| argument.get_env())
        .map(|name| name.to_string_lossy().into_owned())
        .collect();
    assert!(read.contains("DATABASE_URL") && read.contains("TELEGRAM_BOT_TOKEN"));
    let gateway = provided(&documents, named(&documents, "Deployment", "gateway"));
    let missing: Vec<&String> = read.iter().filter(|name| !gateway.contains(*name)).collect();
    assert!(missing.is_empty(), "the gateway is not given {missing:?}");
    for worker in &APP_DEPLOYMENTS[1..] {
        let provided = provided(&documents, named(&documents, "Deployment", worker));
        for name in ["DATABASE_URL", "AMQP_URL", "HTTP_ADDR", "LOG_FORMAT"] {
            assert!(provided.contains(name), "{worker} is not given {name}");
        }
        let args = &container(named(&documents, "Deployment", worker))["args"];
        assert_eq!(args[0], "worker");
    }
}

#[test]
fn the_database_and_the_broker_keep_their_data_on_persistent_volumes() {
    let documents = manifests();
    for name in ["postgres", "rabbitmq"] {
        let set = named(&documents, "StatefulSet", name);
        let claim = &set["spec"]["volumeClaimTemplates"][0];
        assert!(!text(&claim["spec"]["resources"]["requests"]["storage"]).is_empty(), "{name}");
        let mounted = &container(set)["volumeMounts"][0]["name"];
        assert_eq!(mounted, &claim["metadata"]["name"], "{name} mounts its claim");
    }
}
