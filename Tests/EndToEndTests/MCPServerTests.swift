import Foundation
import Testing

/// `sotto mcp` driven by the official `mcp` Python package's stdio client
/// (Scripts/clients/mcp_client.py), against the real daemon answering with the built-in stand-in decoder.
extension EndToEndTests {
    @Test(.enabled(if: PythonClients.isAvailable, "python3 with venv is not installed (Scripts/install-deps)"))
    func anMCPClientListsTheToolsAndCallsEach() throws {
        let harness = try DaemonHarness(config: Self.echoConfig)
        let folder = try harness.makeFolder("docs", files: Self.documents)
        try harness.start()
        #expect(try harness.cli(["sources", "add", folder.path]).status == 0)
        #expect(try harness.cli(["index"]).status == 0)
        let lease = folder.appendingPathComponent("contracts/berlin-lease.md").path
        let calls: [[Any]] = [
            ["search", ["query": "monthly rent", "limit": 2]],
            ["ask", ["question": "When does the lease end?"]],
            ["read_passage", ["path": lease, "line_start": 1, "line_end": 4]],
            ["list_sources", ["documents_under": folder.path]],
            ["read_passage", ["path": "/etc/passwd"]],
            ["search", ["query": "rent", "limit": 500]],
        ]
        let callsJSON = String(decoding: try JSONSerialization.data(withJSONObject: calls), as: UTF8.self)
        let seen = try PythonClients.run("mcp_client.py", [DaemonHarness.sotto, harness.socketPath, callsJSON])

        #expect(seen["server"] as? String == "sotto")
        let tools = seen["tools"] as? [[String: Any]] ?? []
        #expect(Set(tools.compactMap { $0["name"] as? String }) == ["search", "ask", "read_passage", "list_sources"])
        for tool in tools {
            #expect(((tool["description"] as? String)?.count ?? 0) > 80, "a description an agent can act on: \(tool)")
        }
        #expect(tools.first { $0["name"] as? String == "search" }?["required"] as? [String] == ["query"])

        let results = seen["results"] as? [[String: Any]] ?? []
        try #require(results.count == calls.count)
        func text(_ index: Int) -> String { results[index]["text"] as? String ?? "" }
        func failed(_ index: Int) -> Bool { results[index]["is_error"] as? Bool ?? false }
        #expect(!failed(0) && text(0).contains("\(lease):") && text(0).contains("4,850 EUR"), "search: \(text(0))")
        #expect(!failed(1) && text(1).contains("Citations:") && text(1).contains("[1] \(lease):"), "ask: \(text(1))")
        #expect(!failed(2) && text(2).contains("# Commercial lease: Berlin office"), "read_passage: \(text(2))")
        #expect(!failed(3) && text(3).contains(folder.path) && text(3).contains("notes/standup.txt"), "list_sources: \(text(3))")
        #expect(failed(4) && text(4).contains("not an indexed document"), "read_passage outside the index: \(text(4))")
        #expect(failed(5) && text(5).contains("limit"), "a bad argument: \(text(5))")
        #expect(harness.stop() == 0)
    }
}
