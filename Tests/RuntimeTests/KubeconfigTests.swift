import Foundation
import Testing
import TestSupport
@testable import Runtime

/// Finding the cluster as kubectl does: files, merging, contexts, in-cluster, credentials.
@Suite struct KubeconfigTests {
    static func file(cluster: String, server: String, user: String, context: String, current: String?, userBody: String = "token: abc") -> String {
        """
        apiVersion: v1
        kind: Config
        \(current.map { "current-context: \($0)" } ?? "")
        clusters:
        - name: \(cluster)
          cluster:
            server: \(server)
            certificate-authority: ca.crt
        users:
        - name: \(user)
          user:
            \(userBody)
        contexts:
        - name: \(context)
          context: {cluster: \(cluster), user: \(user), namespace: team}
        """
    }

    @Test func severalFilesMergeFirstDefinitionWinning() throws {
        let directory = try TemporaryDirectory()
        try directory.write("ca.crt", "-----BEGIN CERTIFICATE-----\n")
        try directory.write("a.yaml", Self.file(cluster: "one", server: "https://10.0.0.1:6443", user: "me", context: "first", current: nil))
        try directory.write("b.yaml", Self.file(cluster: "one", server: "https://192.0.2.9:6443", user: "you", context: "second", current: "second"))
        let config = try Kubeconfig.load(environment: ["KUBECONFIG": "\(directory.path)/missing.yaml:\(directory.path)/a.yaml:\(directory.path)/b.yaml"])
        // The first file's cluster "one" wins; the current context comes from the first file that sets one.
        #expect(config.clusters["one"]?.server == "https://10.0.0.1:6443")
        #expect(config.currentContext == "second")
        #expect(Set(config.contexts.keys) == ["first", "second"])
        // The CA path is relative to the file that names it.
        #expect(config.clusters["one"]?.certificateAuthority == Array("-----BEGIN CERTIFICATE-----\n".utf8))
        let chosen = try config.resolve(context: nil)
        #expect(chosen.name == "second" && chosen.user.token == "abc" && chosen.context.namespace == "team")
        #expect(try config.resolve(context: "first").cluster.server == "https://10.0.0.1:6443")
        #expect(throws: Kubeconfig.Failure.self) { try config.resolve(context: "third") }
        // --kubeconfig names one file, alone.
        let explicit = try Kubeconfig.load(explicitPath: directory.path + "/a.yaml", environment: ["KUBECONFIG": directory.path + "/b.yaml"])
        #expect(explicit.currentContext == nil && explicit.contexts.keys.sorted() == ["first"])
        #expect(throws: Kubeconfig.Failure.self) { try explicit.resolve(context: nil) }
        #expect(throws: Kubeconfig.Failure.self) { try Kubeconfig.load(explicitPath: directory.path + "/none.yaml") }
    }

    @Test func inClusterConfigurationWhenThereIsNoFile() async throws {
        let home = try TemporaryDirectory()
        let account = try TemporaryDirectory()
        try account.write("token", "service-account-token\n")
        try account.write("namespace", "labs")
        let config = try Kubeconfig.load(environment: ["HOME": home.path, "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"],
                                         inClusterRoot: account.path)
        let chosen = try config.resolve(context: nil)
        #expect(chosen.cluster.server == "https://10.96.0.1:443")
        #expect(chosen.context.namespace == "labs")
        let credentials = KubernetesCredentials(user: chosen.user, userName: "in-cluster", cluster: chosen.cluster)
        // The token file is read at each use (it rotates).
        #expect(try await credentials.current().token == "service-account-token")
        try account.write("token", "rotated")
        #expect(try await credentials.current().token == "rotated")
        // Nothing at all: the message says what kubectl would look for.
        #expect(throws: Kubeconfig.Failure.self) { try Kubeconfig.load(environment: ["HOME": home.path]) }
    }

    @Test func anExecPluginGivesTheTokenAndSeesTheRequest() async throws {
        let directory = try TemporaryDirectory()
        // A real plugin: a script that echoes the apiVersion it was asked for into the token.
        try directory.write("plugin.sh", """
            #!/bin/sh
            version=$(printf '%s' "$KUBERNETES_EXEC_INFO" | sed 's/.*"apiVersion":"\\([^"]*\\)".*/\\1/')
            printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"from-plugin-%s-%s-%s"}}' "$version" "$version" "$1" "$EXTRA"
            """)
        chmod(directory.path + "/plugin.sh", 0o755)
        try directory.write("config", Self.file(cluster: "c", server: "https://127.0.0.1:6443", user: "u", context: "x", current: "x", userBody: """
            exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: \(directory.path)/plugin.sh
                  args: [one]
                  env: [{name: EXTRA, value: two}]
            """).replacingOccurrences(of: "    certificate-authority: ca.crt\n", with: ""))
        let config = try Kubeconfig.load(explicitPath: directory.path + "/config")
        let chosen = try config.resolve(context: nil)
        let credentials = KubernetesCredentials(user: chosen.user, userName: "u", cluster: chosen.cluster)
        #expect(try await credentials.current().token == "from-plugin-client.authentication.k8s.io/v1beta1-one-two")

        // A plugin that fails says so, with what it printed on standard error.
        try directory.write("plugin.sh", "#!/bin/sh\necho 'please log in' >&2\nexit 1\n")
        do {
            _ = try await credentials.current(refresh: true)
            Issue.record("a failing plugin gave credentials")
        } catch let failure as Kubeconfig.Failure {
            #expect(failure.message.contains("please log in"))
        }
    }

    @Test func anUnreachableServerIsNamedWithItsContext() async throws {
        // Nothing listens on port 9 of loopback.
        let directory = try TemporaryDirectory()
        try directory.write("config", Self.file(cluster: "c", server: "https://127.0.0.1:9", user: "u", context: "lab", current: "lab")
            .replacingOccurrences(of: "    certificate-authority: ca.crt\n", with: ""))
        let backend = try KubernetesBackend.connect(kubeconfig: directory.path + "/config")
        do {
            _ = try await backend.info()
            Issue.record("an unreachable API server answered")
        } catch let error as BackendError {
            #expect(error.kind == .unreachable)
            #expect(error.message.contains("https://127.0.0.1:9") && error.message.contains("context lab"))
        }
    }

    @Test func upAgainstAnUnreachableClusterExitsThreeNamingServerAndContext() throws {
        let directory = try TemporaryDirectory()
        try directory.write("config", Self.file(cluster: "c", server: "https://127.0.0.1:9", user: "u", context: "lab", current: "lab")
            .replacingOccurrences(of: "    certificate-authority: ca.crt\n", with: ""))
        try directory.write("w/workshop.yaml", busyboxSpec())
        let state = try TemporaryDirectory()
        let up = try Nalabo.run(["up", directory.path + "/w", "--backend", "kubernetes", "--kubeconfig", directory.path + "/config"],
                                environment: ["XDG_STATE_HOME": state.path])
        #expect(up.status == 3, "\(up.stderr)")
        #expect(up.stderr.contains("https://127.0.0.1:9") && up.stderr.contains("context lab"))
        // A backend that does not exist is a usage error.
        let unknown = try Nalabo.run(["up", directory.path + "/w"], environment: ["XDG_STATE_HOME": state.path, "NALABO_BACKEND": "nomad"])
        #expect(unknown.status == 2 && unknown.stderr.contains("NALABO_BACKEND"))
        // No kubeconfig anywhere: said so, exit 3.
        let nothing = try Nalabo.run(["up", directory.path + "/w", "--backend", "kubernetes"],
                                     environment: ["XDG_STATE_HOME": state.path, "HOME": state.path, "KUBECONFIG": ""])
        #expect(nothing.status == 3 && nothing.stderr.contains("no kubeconfig"), "\(nothing.stderr)")
    }
}
