import GRDB

extension StoreError {
    /// Turns whatever a database access threw into a `StoreError`; our own errors and task
    /// cancellation pass through unchanged so callers can tell them apart.
    static func wrapping(_ error: any Error) -> any Error {
        switch error {
        case let error as StoreError:
            return error
        case is CancellationError:
            return error
        case let error as DatabaseError:
            let detail = error.message ?? "\(error.resultCode)"
            if error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
                return StoreError.corrupt(detail)
            }
            return StoreError.sqlite(detail)
        default:
            return StoreError.sqlite(String(describing: error))
        }
    }
}
