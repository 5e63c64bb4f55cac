"""Renders every Kustomize overlay of deploy/kubernetes and the KServe objects of deploy/kserve with
`kubectl kustomize`, and checks what Kubernetes would run against the daemon itself: container
arguments are flags `inferd --help` lists and inferd accepts, probe and Service ports are the ports
those flags open, the grace period outlasts the drain, names, labels and images agree.
"""
import glob
import os
import subprocess
import unittest

import yaml

from deploy_support import (BINARY, DEPLOY_DIR, SOURCE_DIR, flag_values, inferd_default, inferd_flags,
                            tool)

OVERLAYS = sorted(glob.glob(os.path.join(DEPLOY_DIR, "kubernetes/overlays/*")))
KSERVE = os.path.join(DEPLOY_DIR, "kserve")


def render(folder):
    kubectl = tool("kubectl", "kubernetes-client")
    result = subprocess.run([kubectl, "kustomize", folder], capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"kubectl kustomize {folder} failed:\n{result.stderr}")
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def only(objects, kind, name=None):
    found = [o for o in objects if o["kind"] == kind and name in (None, o["metadata"]["name"])]
    if len(found) != 1:
        raise AssertionError(f"expected one {kind} {name or ''}, rendered {len(found)}")
    return found[0]


def port_number(container, port):
    """A container port given by name or number, as a number."""
    for declared in container.get("ports", []):
        if port in (declared.get("name"), declared["containerPort"]):
            return declared["containerPort"]
    name = container.get("name", "(the model)")
    raise AssertionError(f"container {name} declares no port {port!r}")


class DaemonArgumentsMixin:
    """Checks shared by the Deployment's and the ServingRuntime's inferd container."""

    def check_inferd_arguments(self, args):
        listed = inferd_flags()
        values = flag_values(args)
        for name in values:
            if name not in listed:
                self.fail(f"--{name} is not a flag `inferd --help` lists")
        # The daemon's own parser has the last word on names and values (--help stops before it
        # opens anything, after every argument has been parsed).
        parsed = subprocess.run([BINARY, *args, "--help"], capture_output=True, text=True)
        self.assertEqual(parsed.returncode, 0, f"inferd refuses {args}: {parsed.stderr}")
        return values

    def check_hardened(self, security_context, pod_security_context=None):
        merged = dict(pod_security_context or {}, **security_context)
        self.assertTrue(merged.get("runAsNonRoot"), "the container must run as non-root")
        self.assertNotEqual(merged.get("runAsUser", 0), 0)
        self.assertTrue(security_context.get("readOnlyRootFilesystem"))
        self.assertFalse(security_context.get("allowPrivilegeEscalation", True))
        self.assertEqual(security_context.get("capabilities", {}).get("drop"), ["ALL"])


class KubernetesOverlayTest(unittest.TestCase, DaemonArgumentsMixin):
    def check_example_models(self, name, pod):
        # The init container copies examples out of the image (its /usr/share/inferd/models is
        # examples/models); tosa_vulkan models only where the GPU's toolkit provides a driver.
        (init,) = [c for c in pod.get("initContainers", []) if c["name"] == "model-repository"]
        command = init["command"]
        self.assertEqual(command[:2], ["cp", "-R"])
        prefix = "/usr/share/inferd/models/"
        copied = []
        for source in command[2:-1]:
            self.assertTrue(source.startswith(prefix), source)
            folder = os.path.join(SOURCE_DIR, "examples/models", source[len(prefix):])
            self.assertTrue(os.path.isdir(folder), f"the image has no {source}")
            copied += [folder] if source[len(prefix):] != "." else glob.glob(folder + "/*/")
        for folder in copied:
            with open(os.path.join(folder, "config.pbtxt")) as config:
                on_gpu = 'backend: "tosa_vulkan"' in config.read()
            self.assertFalse(on_gpu and name != "gpu",
                             f"overlay {name} copies the GPU model {folder} but mounts no GPU")
        if name == "gpu":
            self.assertIn(prefix + ".", command, "the gpu overlay serves every example")

    def test_there_are_cpu_gpu_and_ethos_u_overlays(self):
        self.assertEqual({os.path.basename(o) for o in OVERLAYS}, {"cpu", "gpu", "ethos-u"})

    def test_every_overlay(self):
        for overlay in OVERLAYS:
            with self.subTest(overlay=os.path.basename(overlay)):
                self.check_overlay(os.path.basename(overlay), render(overlay))

    def check_overlay(self, name, objects):
        deployment = only(objects, "Deployment")
        pod = deployment["spec"]["template"]["spec"]
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        self.assertLessEqual(deployment["spec"]["selector"]["matchLabels"].items(), pod_labels.items())
        inferd = next(c for c in pod["containers"] if c["name"] == "inferd")
        values = self.check_inferd_arguments(inferd["args"])

        grpc_port = int(values.get("grpc-port", inferd_default("grpc-port")))
        metrics_port = int(values.get("metrics-port", inferd_default("metrics-port")))
        http_port = int(values.get("http-port", inferd_default("http-port")))
        self.assertEqual(port_number(inferd, "grpc"), grpc_port)
        self.assertEqual(port_number(inferd, "metrics"), metrics_port)
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            # Native gRPC probes ask grpc.health.v1, which inferd serves on its gRPC port.
            self.assertEqual(inferd[probe]["grpc"]["port"], grpc_port, probe)

        exit_timeout = int(values.get("exit-timeout-secs", inferd_default("exit-timeout-secs")))
        self.assertGreater(pod["terminationGracePeriodSeconds"], exit_timeout,
                           "Kubernetes would SIGKILL inferd while it drains")

        self.check_hardened(inferd["securityContext"], pod.get("securityContext"))
        self.assertIn("requests", inferd["resources"])
        images = {c["image"] for c in pod["containers"] + pod.get("initContainers", [])}
        self.assertEqual(len(images), 1, f"containers use different inferd images: {images}")
        self.assertRegex(images.pop(), r"^inferd:\d+\.\d+\.\d+$")

        self.check_example_models(name, pod)
        repository = values["model-repository"]
        mounts = {m["mountPath"]: m for m in inferd["volumeMounts"]}
        self.assertIn(repository, mounts, "--model-repository is not a mounted volume")
        volumes = {v["name"]: v for v in pod["volumes"]}
        self.assertIn(mounts[repository]["name"], volumes)

        for service in (o for o in objects if o["kind"] == "Service"):
            self.assertLessEqual(service["spec"]["selector"].items(), pod_labels.items(),
                                 f"Service {service['metadata']['name']} selects no inferd pod")
            for port in service["spec"]["ports"]:
                container_port = port_number(inferd, port["targetPort"])
                self.assertIn(container_port, (grpc_port, http_port, metrics_port))
                if port["name"] == "grpc":
                    self.assertEqual(container_port, grpc_port)
                    self.assertEqual(port.get("appProtocol"), "grpc")
                if port["name"] == "http":
                    self.assertEqual(container_port, http_port)
        headless = only(objects, "Service", "inferd-headless")
        self.assertEqual(headless["spec"]["clusterIP"], "None")

        monitor = only(objects, "PodMonitor")
        self.assertLessEqual(monitor["spec"]["selector"]["matchLabels"].items(), pod_labels.items())
        for endpoint in monitor["spec"]["podMetricsEndpoints"]:
            self.assertEqual(port_number(inferd, endpoint["port"]), metrics_port)

        autoscaler = only(objects, "HorizontalPodAutoscaler")
        self.assertEqual(autoscaler["spec"]["scaleTargetRef"]["name"], deployment["metadata"]["name"])
        metric_names = [m["pods"]["metric"]["name"] for m in autoscaler["spec"]["metrics"]]
        self.assertEqual(metric_names, ["inferd_inference_pending_request_count"])

        getattr(self, "check_" + name.replace("-", "_"))(objects, deployment, inferd, values)

    def check_cpu(self, objects, deployment, inferd, values):
        self.assertNotIn("nvidia.com/gpu", inferd["resources"].get("limits", {}))

    def check_gpu(self, objects, deployment, inferd, values):
        self.assertEqual(inferd["resources"]["limits"]["nvidia.com/gpu"], "1")

    def check_ethos_u(self, objects, deployment, inferd, values):
        # One replica owns the targets, also while it is replaced and whatever the load.
        self.assertEqual(deployment["spec"]["replicas"], 1)
        self.assertEqual(deployment["spec"]["strategy"]["type"], "Recreate")
        autoscaler = only(objects, "HorizontalPodAutoscaler")
        self.assertEqual(autoscaler["spec"]["maxReplicas"], 1)

        targets_config = values["targets-config"]
        folder, file_name = os.path.split(targets_config)
        mount = next(m for m in inferd["volumeMounts"] if m["mountPath"] == folder)
        volume = next(v for v in deployment["spec"]["template"]["spec"]["volumes"]
                      if v["name"] == mount["name"])
        config_map = only(objects, "ConfigMap", volume["configMap"]["name"])
        self.assertIn("[target ", config_map["data"][file_name])


class KServeTest(unittest.TestCase, DaemonArgumentsMixin):
    @classmethod
    def setUpClass(cls):
        cls.objects = render(KSERVE)

    def test_serving_runtime(self):
        runtime = only(self.objects, "ServingRuntime")
        formats = {f["name"] for f in runtime["spec"]["supportedModelFormats"]}
        self.assertEqual(formats, {"tosa", "vgf", "pte"})
        # inferd serves v2 over HTTP/REST and over gRPC.
        self.assertEqual(runtime["spec"]["protocolVersions"], ["v2", "grpc-v2"])
        (container,) = runtime["spec"]["containers"]
        values = self.check_inferd_arguments(container["args"])
        # KServe's storage initializer puts the storageUri's contents here.
        self.assertEqual(values["model-repository"], "/mnt/models")
        # A runtime that declares no port gets KServe's REST traffic on 8080: REST must be there.
        self.assertNotIn("ports", container)
        self.assertEqual(int(values.get("http-port", inferd_default("http-port"))), 8080)
        self.check_hardened(container["securityContext"])

    def test_inference_service_uses_the_runtime(self):
        runtime = only(self.objects, "ServingRuntime")
        service = only(self.objects, "InferenceService")
        model = service["spec"]["predictor"]["model"]
        self.assertEqual(model["runtime"], runtime["metadata"]["name"])
        self.assertIn(model["modelFormat"]["name"],
                      {f["name"] for f in runtime["spec"]["supportedModelFormats"]})
        self.assertIn(model["protocolVersion"], runtime["spec"]["protocolVersions"])
        # gRPC goes to the port named h2c, which must be the runtime's --grpc-port.
        values = flag_values(runtime["spec"]["containers"][0]["args"])
        if model["protocolVersion"] == "grpc-v2":
            grpc_port = int(values.get("grpc-port", inferd_default("grpc-port")))
            self.assertEqual(port_number(model, "h2c"), grpc_port)
        exit_timeout = int(flag_values(runtime["spec"]["containers"][0]["args"])["exit-timeout-secs"])
        self.assertGreater(service["spec"]["predictor"]["terminationGracePeriodSeconds"], exit_timeout)
        annotations = service["metadata"]["annotations"]
        metrics_port = flag_values(runtime["spec"]["containers"][0]["args"])["metrics-port"]
        self.assertEqual(annotations["prometheus.kserve.io/port"], metrics_port)


if __name__ == "__main__":
    unittest.main()
