import API
import Foundation
import Testing
import Yams

/// Checks the running server against docs/openapi.yaml: every documented operation is exercised, and
/// every response's status, content type and body match what the document says.
extension EndToEndTests {
    @Test func theRunningServerMatchesItsOpenAPIDocument() throws {
        let specText = try String(
            contentsOf: DaemonHarness.packageRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        let spec = try #require(try Yams.load(yaml: specText) as? [String: Any])
        let validator = SchemaValidator(spec: spec)
        let paths = try #require(spec["paths"] as? [String: Any])

        // The built-in stand-in decoder answers /ask without model files.
        let harness = try DaemonHarness(config: "[index]\ndebounce_ms = 100\n[[decoders]]\nname = \"echo\"\nfile = \"builtin:echo\"\n")
        let folder = try harness.makeFolder("docs", files: Self.documents)
        try harness.start()
        let client = harness.client
        var exercised = Set<String>()

        func check(_ method: String, _ path: String, body: String? = nil, expect status: Int) throws {
            let answer = try client.raw(method, path, body: body.map { Data($0.utf8) })
            #expect(answer.status == status, "\(method) \(path): \(String(decoding: answer.body, as: UTF8.self))")
            let route = String(path.split(separator: "?")[0])
            guard let operation = (paths[route] as? [String: Any])?[method.lowercased()] as? [String: Any] else {
                Issue.record("\(method) \(route) is not in docs/openapi.yaml")
                return
            }
            exercised.insert("\(method) \(route)")
            guard let response = (operation["responses"] as? [String: Any])?[String(answer.status)] as? [String: Any] else {
                Issue.record("\(method) \(route) answered \(answer.status), which the document does not list")
                return
            }
            let content = try #require(response["content"] as? [String: Any])
            let contentType = answer.head.header("Content-Type") ?? ""
            guard let media = content[contentType] as? [String: Any], let schema = media["schema"] else {
                Issue.record("\(method) \(route) answered \(contentType), the document says \(content.keys.sorted())")
                return
            }
            let documents: [Data]
            switch contentType {
            case "application/x-ndjson": documents = answer.body.split(separator: UInt8(ascii: "\n")).map { Data($0) }
            case "text/event-stream": documents = try Self.serverSentEvents(answer.body)
            default: documents = [answer.body]
            }
            #expect(!documents.isEmpty)
            for document in documents {
                let value = try JSONSerialization.jsonObject(with: document, options: [.fragmentsAllowed])
                let problems = validator.validate(value, against: schema, at: "\(method) \(route)")
                #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
            }
        }

        try check("GET", "/status", expect: 200)
        try check("POST", "/sources", body: #"{"path": "\#(folder.path)", "exclude": ["*.sh"]}"#, expect: 201)
        try check("POST", "/sources", body: #"{"path": "\#(folder.path)"}"#, expect: 409)
        try check("POST", "/sources", body: #"{"path": "/no/such/folder"}"#, expect: 400)
        try check("GET", "/sources", expect: 200)
        try check("POST", "/index", body: "{}", expect: 200)
        try check("POST", "/index", body: #"{"path": "/not/a/source"}"#, expect: 404)
        try harness.waitUntilIdle()
        try check("POST", "/search", body: #"{"query": "lease rent", "limit": 5}"#, expect: 200)
        try check("POST", "/search", body: #"{"query": "", "limit": 5}"#, expect: 400)
        try check("POST", "/ask", body: #"{"question": "When does the lease end?", "sources": 3}"#, expect: 200)
        try check("POST", "/ask", body: #"{"question": "When does the lease end?", "stream": false}"#, expect: 200)
        try check("POST", "/ask", body: #"{"question": "What is the boiling point of mercury on Jupiter?"}"#, expect: 200)
        try check("POST", "/ask", body: #"{"question": "Who won?", "style": "short", "context": [{"title": "Final", "text": "The Broncos won."}]}"#, expect: 200)
        try check("POST", "/ask", body: #"{"question": " "}"#, expect: 400)
        try check("POST", "/ask", body: #"{"question": "When does the lease end?", "model": "nope"}"#, expect: 404)
        let lease = folder.appendingPathComponent("contracts/berlin-lease.md").path
        try check("POST", "/passages", body: #"{"path": "\#(lease)", "lineStart": 1, "lineEnd": 3}"#, expect: 200)
        try check("POST", "/passages", body: #"{"path": "/not/indexed.md"}"#, expect: 404)
        try check("POST", "/passages", body: #"{"path": "\#(lease)", "lineStart": 5, "lineEnd": 2}"#, expect: 400)
        let question = #""messages": [{"role": "user", "content": "When does the lease end?"}]"#
        try check("POST", "/chat/completions", body: #"{"model": "sotto", \#(question)}"#, expect: 200)
        try check("POST", "/chat/completions", body: #"{"model": "sotto", "stream": true, "stream_options": {"include_usage": true}, \#(question)}"#, expect: 200)
        try check("POST", "/chat/completions", body: #"{"model": "echo", "stream": true, "max_tokens": 3, \#(question)}"#, expect: 200)
        try check("POST", "/chat/completions", body: #"{"model": "nope", \#(question)}"#, expect: 404)
        try check("POST", "/chat/completions", body: #"{"model": "echo", "messages": []}"#, expect: 400)
        try check("POST", "/embeddings", body: #"{"input": "lease"}"#, expect: 503)
        try check("GET", "/models", expect: 200)
        try check("GET", "/documents?limit=2", expect: 200)
        try check("GET", "/documents?status=bogus", expect: 400)
        try check("POST", "/forget", body: #"{"paths": ["/nowhere/x.md"]}"#, expect: 404)
        try check("GET", "/audit", expect: 404)
        try check("POST", "/forget", body: #"{"paths": ["\#(folder.path)/nothing-here.md"]}"#, expect: 200)
        try check("POST", "/sources/remove", body: #"{"path": "\#(folder.path)"}"#, expect: 200)
        try check("POST", "/sources/remove", body: #"{"path": "\#(folder.path)"}"#, expect: 404)

        var documented = Set<String>()
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        #expect(exercised == documented, "documented but not exercised: \(documented.subtracting(exercised))")
        // Nothing undocumented answers.
        #expect(try client.raw("GET", "/admin", body: nil).status == 404)
        #expect(harness.stop() == 0)
    }
}

extension EndToEndTests {
    /// Every error code the daemon can send is documented, and the document lists no other.
    @Test func theDocumentedErrorCodesAreTheDaemons() throws {
        let specText = try String(
            contentsOf: DaemonHarness.packageRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        let spec = try #require(try Yams.load(yaml: specText) as? [String: Any])
        let error = SchemaValidator(spec: spec).resolve(["$ref": "#/components/schemas/Error"])
        let body = SchemaValidator(spec: spec).resolve((error["properties"] as? [String: Any])?["error"] as Any)
        let code = (body["properties"] as? [String: Any])?["code"] as? [String: Any]
        let documented = try #require(code?["enum"] as? [String])
        #expect(Set(documented) == Set(ErrorCode.allCases.map(\.rawValue)))
        #expect(documented.count == ErrorCode.allCases.count)
    }
}

extension EndToEndTests {
    /// The JSON documents of a server-sent event stream (`data: …` events), which must end with `data: [DONE]`.
    static func serverSentEvents(_ body: Data) throws -> [Data] {
        let events = String(decoding: body, as: UTF8.self).components(separatedBy: "\n\n").filter { !$0.isEmpty }
        #expect(events.last == "data: [DONE]", "the stream ends with [DONE]: \(events.suffix(2))")
        return try events.dropLast().map { event in
            guard event.hasPrefix("data: ") else { throw HarnessError("not a data event: \(event)") }
            return Data(event.dropFirst(6).utf8)
        }
    }
}

/// The subset of JSON Schema the API document uses: type, nullable, properties, required,
/// additionalProperties, items, enum and $ref.
struct SchemaValidator {
    let spec: [String: Any]

    func resolve(_ schema: Any) -> [String: Any] {
        guard let object = schema as? [String: Any] else { return [:] }
        if let ref = object["$ref"] as? String, ref.hasPrefix("#/") {
            var node: Any = spec
            for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
            return resolve(node)
        }
        return object
    }

    func validate(_ value: Any, against rawSchema: Any, at path: String) -> [String] {
        let schema = resolve(rawSchema)
        var problems: [String] = []
        if value is NSNull, (schema["nullable"] as? Bool) == true { return [] }
        if let type = schema["type"] as? String {
            let ok: Bool
            switch type {
            case "object": ok = value is [String: Any]
            case "array": ok = value is [Any]
            case "string": ok = value is String
            case "boolean": ok = (value as? NSNumber).map(isBool) ?? false
            case "integer": ok = (value as? NSNumber).map { !isBool($0) && $0.doubleValue == $0.doubleValue.rounded() } ?? false
            case "number": ok = (value as? NSNumber).map { !isBool($0) } ?? false
            default: ok = true
            }
            if !ok { return ["\(path): expected \(type), got \(value)"] }
        }
        if let allowed = schema["enum"] as? [Any] {
            let strings = allowed.map { "\($0)" }
            if !strings.contains("\(value)") { problems.append("\(path): \(value) is not one of \(strings)") }
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil {
                problems.append("\(path): missing required \(key)")
            }
            if (schema["additionalProperties"] as? Bool) == false {
                for key in object.keys where properties[key] == nil {
                    problems.append("\(path): \(key) is not in the document")
                }
            }
            for (key, child) in object {
                if let childSchema = properties[key] {
                    problems += validate(child, against: childSchema, at: "\(path).\(key)")
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] {
            for (index, element) in array.enumerated() {
                problems += validate(element, against: items, at: "\(path)[\(index)]")
            }
        }
        return problems
    }

    /// JSONSerialization gives NSNumber for both; a Boolean's Objective-C type is `c` (char).
    private func isBool(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
