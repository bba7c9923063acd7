import Foundation

extension SottoClient {
    /// The stored text of an indexed document by line or page range (`POST /v1/passages`).
    public func passages(_ request: PassageRequest) throws -> PassageResponse {
        try call("POST", "/passages", body: request)
    }
}
