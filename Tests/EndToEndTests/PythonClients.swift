import Foundation

/// The official Python client libraries (openai, mcp, httpx) in a venv that Scripts/python-clients
/// makes on first use, and a way to run the scenario scripts in Scripts/clients with them.
enum PythonClients {
    /// python3 with venv and pip: without them the client tests are skipped.
    static let isAvailable: Bool = {
        guard let result = try? DaemonHarness.run("/usr/bin/env", ["python3", "-c", "import venv, ensurepip"]) else { return false }
        return result.status == 0
    }()

    /// The venv's python; making it needs PyPI the first time (a failure there fails the test).
    static let python: Result<String, HarnessError> = {
        let script = DaemonHarness.packageRoot.appendingPathComponent("Scripts/python-clients").path
        guard let result = try? DaemonHarness.run(script, []) else { return .failure(HarnessError("cannot run \(script)")) }
        let path = result.out.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.status == 0, FileManager.default.isExecutableFile(atPath: path) else {
            return .failure(HarnessError("Scripts/python-clients failed (\(result.status)): \(result.err)"))
        }
        return .success(path)
    }()

    /// Runs Scripts/clients/`script` with `arguments` and returns the JSON document it prints.
    static func run(_ script: String, _ arguments: [String]) throws -> [String: Any] {
        let python = try python.get()
        let path = DaemonHarness.packageRoot.appendingPathComponent("Scripts/clients/\(script)").path
        let result = try DaemonHarness.run(python, [path] + arguments)
        guard result.status == 0 else { throw HarnessError("\(script) \(arguments.prefix(3)) failed (\(result.status)): \(result.err)") }
        guard let line = result.out.split(separator: "\n").last,
            let document = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { throw HarnessError("\(script) printed no JSON: \(result.out) \(result.err)") }
        return document
    }
}
