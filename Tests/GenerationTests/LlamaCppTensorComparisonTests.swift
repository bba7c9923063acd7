import Foundation
import Testing
import TestSupport
@testable import Generation

/// Compares Sotto's intermediate tensors with llama.cpp's for one prompt (a debugging aid for greedy
/// parity, run by hand): `Scripts/reference/dump-tensors -m MODEL -o DIR IDS [NEXT...]`, then
/// `SOTTO_DUMP_DIR=DIR SOTTO_DUMP_MODEL=FILE.gguf SOTTO_DUMP_IDS=IDS [SOTTO_DUMP_NEXT=a,b] swift test
/// --filter LlamaCppTensorComparison`. Prints per tensor the largest difference and the share of
/// bit-identical values; skipped without the variables.
struct LlamaCppTensorComparisonTests {
    struct Entry {
        var file: String
        var op: String
        var count: Int
    }

    static func ids(_ text: String?) -> [Int32] {
        (text ?? "").split(separator: ",").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    static var requested: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["SOTTO_DUMP_DIR"] != nil && env["SOTTO_DUMP_MODEL"] != nil && env["SOTTO_DUMP_IDS"] != nil
    }

    @Test(.enabled(if: requested, "a debugging aid run by hand: SOTTO_DUMP_DIR, SOTTO_DUMP_MODEL and SOTTO_DUMP_IDS are not set"))
    func intermediateTensorsMatchLlamaCpp() throws {
        let env = ProcessInfo.processInfo.environment
        let dir = try #require(env["SOTTO_DUMP_DIR"])
        let file = try #require(env["SOTTO_DUMP_MODEL"])
        let url = try #require(TestModels.installed(file), "\(TestModels.missing(file))")
        let prompt = Self.ids(env["SOTTO_DUMP_IDS"])
        let next = Self.ids(env["SOTTO_DUMP_NEXT"])
        try #require(!prompt.isEmpty)
        let index = try String(contentsOfFile: dir + "/index.tsv", encoding: .utf8)
        // (step, name) → entries in graph order.
        var entries: [String: [Entry]] = [:]
        for line in index.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 9 else { continue }
            let count = (5...8).reduce(1) { $0 * (Int(f[$1]) ?? 1) }
            entries["\(f[1])/\(f[2])", default: []].append(Entry(file: f[0], op: f[3], count: count))
        }
        let model = try DecoderModel(contentsOf: url)
        let session = try DecoderSession(model: model, contextLength: prompt.count + next.count + 8)
        var step = 0
        var compared = 0
        var worst: [String: (Float, String)] = [:]
        session.tracer = NamedTensors { name, layer, values, count in
            let llamaName: String
            var op: String? = nil
            switch name {
            case "Qcur", "Kcur": llamaName = name; op = "RESHAPE"
            case "Qrope": llamaName = "Qcur"; op = "ROPE"
            case "Krope": llamaName = "Kcur"; op = "ROPE"
            case "Vcur": llamaName = "Vcur"; op = "RESHAPE"
            default: llamaName = name
            }
            let key = "\(step)/\(layer >= 0 ? "\(llamaName)-\(layer)" : llamaName)"
            guard let list = entries[key], let e = op.map({ o in list.last { $0.op == o } }) ?? list.last else {
                if layer <= 0 { print("step \(step) \(name) \(layer): no llama.cpp tensor \(key)") }
                return
            }
            guard let data = FileManager.default.contents(atPath: dir + "/" + e.file), e.count <= count else {
                print("step \(step) \(key): unreadable or larger than ours (\(e.count) > \(count))")
                return
            }
            // llama.cpp computes the output rows only for the tokens whose logits it keeps: compare
            // the trailing rows.
            let offset = count - e.count
            var maxDiff: Float = 0, maxRef: Float = 0, same = 0, worstAt = 0
            let rows = max(1, prompt.count * e.count / count)  // per token, when llama.cpp has all rows
            let width = e.count / rows
            var rowsDiffering = Set<Int>()
            data.withUnsafeBytes { raw in
                let ref = raw.bindMemory(to: Float.self)
                for j in 0..<e.count {
                    let a = values[offset + j], b = ref[j]
                    if a == b { same += 1 } else { rowsDiffering.insert(j / width) }
                    let d = abs(a - b)
                    if d > maxDiff { maxDiff = d; worstAt = j }
                    maxRef = max(maxRef, abs(b))
                }
            }
            compared += 1
            let rel = maxRef > 0 ? maxDiff / maxRef : maxDiff
            let line = String(
                format: "step %d %@ %@: max |diff| %.3g (rel %.3g, at %d), identical %.1f%% of %d", step, key, e.op,
                maxDiff, rel, worstAt, 100 * Double(same) / Double(max(e.count, 1)), e.count)
            print(line + (step == 0 && rows > 1 ? " rows differing \(rowsDiffering.sorted())" : ""))
            if (worst[name]?.0 ?? -1) < rel { worst[name] = (rel, line) }
        }
        defer { session.tracer = nil }
        _ = try session.evaluate(prompt)
        for t in next {
            step += 1
            _ = try session.evaluate([t])
        }
        #expect(compared > 0)
    }
}

/// The session's tensors after each step of the forward pass, by llama.cpp's graph names: `body`
/// gets (name, layer or -1, values, count).
final class NamedTensors: DecoderTracer {
    let body: (String, Int, UnsafePointer<Float>, Int) -> Void

    init(_ body: @escaping (String, Int, UnsafePointer<Float>, Int) -> Void) { self.body = body }

    func after(_ step: DecoderStep, layer l: Int, rows: Range<Int>, in s: DecoderSession) {
        let c = s.model.configuration
        let n = rows.count, hidden = c.hiddenSize
        switch step {
        case .embedding: body("embd", -1, s.x, n * hidden)
        case .attentionNorm: body("attn_norm", l, s.xb, n * hidden)
        case .queryKeyValue:
            body("Qcur", l, s.q, n * c.queryDim)
            body("Kcur", l, s.k, n * c.kvDim)
            body("Vcur", l, s.v, n * c.kvDim)
        case .rotation:
            body("Qrope", l, s.q, n * c.queryDim)
            body("Krope", l, s.k, n * c.kvDim)
        case .attention: body("kqv_out", l, s.attention, n * c.queryDim)
        case .attentionOutput:
            body("attn_out", l, s.projected, n * hidden)
            body("ffn_inp", l, s.x, n * hidden)
        case .feedForwardNorm: body("ffn_norm", l, s.xb, n * hidden)
        case .gateUp:
            body("ffn_gate", l, s.gate, n * c.intermediateSize)
            body("ffn_up", l, s.up, n * c.intermediateSize)
        case .swiGLU: body("ffn_swiglu", l, s.gate, n * c.intermediateSize)
        case .down:
            body("ffn_out", l, s.projected, n * hidden)
            body("l_out", l, s.x + rows.lowerBound * hidden, n * hidden)
        case .outputNorm: body("result_norm", -1, s.xb, n * hidden)
        case .logits: body("result_output", -1, s.logits, n * c.vocabularySize)
        }
    }
}
