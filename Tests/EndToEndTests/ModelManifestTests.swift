import API
import Foundation
import Testing

/// The real daemon refuses a decoder whose sha256 is not the manifest's, and one the manifest does
/// not list, and says why in its status.
@Suite struct ModelManifestTests {
    @Test func aTamperedOrUnlistedDecoderIsRefusedWithTheReason() throws {
        let harness = try DaemonHarness()
        let models = harness.directory.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try Data("GGUF not really".utf8).write(to: models.appendingPathComponent("tampered.gguf"))
        try Data("GGUF mine".utf8).write(to: models.appendingPathComponent("mine.gguf"))
        let manifest = #"{"version": 1, "files": {"tampered.gguf": {"sha256": "\#(String(repeating: "0", count: 64))"}}}"#
        try manifest.write(to: models.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
        try """
            models = "\(models.path)"
            [index]
            debounce_ms = 100
            [encoder]
            enabled = false
            [decoder]
            default = "tampered"
            [[decoders]]
            name = "tampered"
            file = "tampered.gguf"
            [[decoders]]
            name = "mine"
            file = "mine.gguf"
            """.write(toFile: harness.configPath, atomically: true, encoding: .utf8)
        try harness.start()
        // Ask for each so it is loaded (the default loads at start).
        _ = try? harness.cli(["ask", "anything", "--model", "mine", "--no-stream"])
        var byName: [String: DecoderStatus.Model] = [:]
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let status = try harness.client.status()
            byName = Dictionary(uniqueKeysWithValues: (status.decoder?.models ?? []).map { ($0.name, $0) })
            if byName["tampered"]?.state == "failed", byName["mine"]?.state == "failed" { break }
            _ = try? harness.cli(["ask", "anything", "--model", "mine", "--no-stream"])
            usleep(200_000)
        }
        #expect(byName["tampered"]?.state == "failed")
        #expect(byName["tampered"]?.message?.contains("sha256") == true, "\(String(describing: byName["tampered"]))")
        #expect(byName["mine"]?.state == "failed")
        #expect(byName["mine"]?.message?.contains("not listed") == true, "\(String(describing: byName["mine"]))")
    }
}
