import Foundation
import GRDB
import GRDBSQLite

/// `sotto_bm25(chunk_fts, firstPhrase, idf…)`: FTS5's BM25 (same formula, k1 = 1.2, b = 0.75,
/// column weights 1.0 for the text and 0.5 for the section) over the phrases from `firstPhrase` on,
/// with IDFs the caller passes instead of computing them.
///
/// Why: FTS5's own `bm25()` finds each phrase's document frequency by walking the phrase's whole
/// posting list on every query, and it scores only the rows its MATCH expression returns. Pruned
/// search (`Store.search`) matches rows by the rare words of a query, `(rare…) AND (every word…)`,
/// and scores them here by every word, with document frequencies it counted or estimated once.
enum LexicalScorer {
    static let functionName = "sotto_bm25"
    static let k1 = 1.2
    static let b = 0.75
    /// Column weights, as in the unpruned query's `bm25(chunk_fts, 1.0, 0.5)`.
    static let columnWeights: [Double] = [1.0, 0.5]

    /// FTS5's IDF: log((N − n + 0.5) / (n + 0.5)), floored at 1e-6.
    static func idf(rows: Int, documentFrequency: Int) -> Double {
        let value = log((Double(rows) - Double(documentFrequency) + 0.5) / (Double(documentFrequency) + 0.5))
        return value > 0 ? value : 1e-6
    }

    /// Registers the function on one connection (called for every connection the store opens).
    static func register(_ db: Database) throws {
        guard let connection = db.sqliteConnection else { return }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(connection, "SELECT fts5(?1)", -1, &statement, nil) == SQLITE_OK else {
            throw StoreError.corrupt("this SQLite has no FTS5")
        }
        defer { sqlite3_finalize(statement) }
        // SQLite keeps both pointers until the statement runs: they must outlive this scope's temporaries.
        let slot = UnsafeMutablePointer<UnsafeMutablePointer<fts5_api>?>.allocate(capacity: 1)
        slot.initialize(to: nil)
        defer { slot.deallocate() }
        guard let type = strdup("fts5_api_ptr") else { throw StoreError.corrupt("out of memory") }
        defer { free(type) }
        sqlite3_bind_pointer(statement, 1, slot, type, nil)
        _ = sqlite3_step(statement)
        guard let api = slot.pointee, let create = api.pointee.xCreateFunction else {
            throw StoreError.corrupt("this SQLite has no FTS5 extension API")
        }
        let rc = create(api, functionName, nil, lexicalScore, nil)
        guard rc == SQLITE_OK else { throw StoreError.corrupt("cannot register \(functionName): SQLite error \(rc)") }
    }
}

/// The function body (see `LexicalScorer`). Arguments: firstPhrase, then one IDF per phrase from it.
private let lexicalScore: fts5_extension_function = { apiPointer, context, resultContext, argumentCount, arguments in
    guard let apiPointer, let arguments, argumentCount >= 1 else {
        sqlite3_result_error(resultContext, "sotto_bm25: missing arguments", -1)
        return
    }
    let api = apiPointer.pointee
    guard let phraseCount = api.xPhraseCount?(context), let instanceCount = api.xInstCount,
        let instance = api.xInst, let columnSize = api.xColumnSize, let rowCount = api.xRowCount,
        let totalSize = api.xColumnTotalSize
    else {
        sqlite3_result_error(resultContext, "sotto_bm25: incomplete FTS5 API", -1)
        return
    }
    let first = Int(sqlite3_value_int(arguments[0]))
    let scored = Int(argumentCount) - 1
    guard first >= 0, first + scored <= Int(phraseCount) else {
        sqlite3_result_error(resultContext, "sotto_bm25: phrase range out of bounds", -1)
        return
    }
    var rows: sqlite3_int64 = 0, tokens: sqlite3_int64 = 0, instances: Int32 = 0, size: Int32 = 0
    guard rowCount(context, &rows) == SQLITE_OK, totalSize(context, -1, &tokens) == SQLITE_OK,
        instanceCount(context, &instances) == SQLITE_OK, columnSize(context, -1, &size) == SQLITE_OK
    else {
        sqlite3_result_error(resultContext, "sotto_bm25: cannot read the row's statistics", -1)
        return
    }
    // At most a few dozen phrases: a small stack-like buffer.
    var frequency = [Double](repeating: 0, count: scored)
    for index in 0..<instances {
        var phrase: Int32 = 0, column: Int32 = 0, offset: Int32 = 0
        guard instance(context, index, &phrase, &column, &offset) == SQLITE_OK else { continue }
        let slot = Int(phrase) - first
        guard slot >= 0, slot < scored else { continue }
        frequency[slot] += Int(column) < LexicalScorer.columnWeights.count ? LexicalScorer.columnWeights[Int(column)] : 1
    }
    let averageLength = rows > 0 && tokens > 0 ? Double(tokens) / Double(rows) : 1
    let norm = LexicalScorer.k1 * (1 - LexicalScorer.b + LexicalScorer.b * Double(size) / averageLength)
    var score = 0.0
    for slot in 0..<scored where frequency[slot] > 0 {
        let idf = sqlite3_value_double(arguments[slot + 1])
        score += idf * frequency[slot] * (LexicalScorer.k1 + 1) / (frequency[slot] + norm)
    }
    sqlite3_result_double(resultContext, score)
}
