import Catalogue
import Foundation
import HTTPTypes
import Hummingbird
import LabService
import Runtime

/// A request the portal refuses, with the status and the plain-words message it answers with
/// (`{"error": {"status": ..., "message": ...}}`).
struct PortalError: Error, HTTPResponseError {
    var status: HTTPResponse.Status
    var message: String
    var headers: HTTPFields = [:]

    static let unauthenticated = PortalError(status: .unauthorized, message: "log in first (POST /api/login), or send Authorization: Bearer TOKEN")
    static func notFound(_ what: String) -> PortalError { PortalError(status: .notFound, message: what) }
    static func badRequest(_ message: String) -> PortalError { PortalError(status: .badRequest, message: message) }
    static func forbidden(_ message: String) -> PortalError { PortalError(status: .forbidden, message: message) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let body = JSONText.object(["error": ["status": Int(status.code), "message": message]])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// What a catalogue, service or backend failure means for a caller.
    static func from(_ error: any Error) -> any Error {
        switch error {
        case let error as PortalError: return error
        case let error as HTTPError: return error
        case let error as CatalogueError:
            switch error {
            case .notPermitted(let message): return PortalError(status: .forbidden, message: message)
            case .notAUser: return PortalError(status: .forbidden, message: error.description)
            case .notFound(let message): return PortalError(status: .notFound, message: message)
            case .quotaExceeded, .conflict: return PortalError(status: .conflict, message: error.description)
            case .invalid: return PortalError(status: .unprocessableContent, message: error.description)
            case .ambiguous: return PortalError(status: .badRequest, message: error.description)
            case .unreachable, .schema, .database: return PortalError(status: .serviceUnavailable, message: error.description)
            }
        case let error as BackendError:
            switch error.kind {
            case .notFound: return PortalError(status: .notFound, message: error.description)
            case .unreachable, .unsupported: return PortalError(status: .serviceUnavailable, message: error.description)
            default: return PortalError(status: .badGateway, message: error.description)
            }
        case let error as Grader.SessionExpired: return PortalError(status: .gone, message: error.description)
        case let error as Grader.UnknownChallenge: return PortalError(status: .notFound, message: error.description)
        case let error as Grader.NotStarted: return PortalError(status: .conflict, message: error.description)
        case let error as StepNavigation: return PortalError(status: .conflict, message: error.description)
        case let error as SetupFailure: return PortalError(status: .unprocessableContent, message: error.description)
        // The portal's own configuration lacks what the workshop needs: nothing the learner can fix.
        case let error as SecretSource.Missing: return PortalError(status: .serviceUnavailable, message: error.description)
        case let error as SecretSource.Unreadable: return PortalError(status: .serviceUnavailable, message: error.description)
        case let error as LabService.NotExtendable: return PortalError(status: .conflict, message: error.description)
        case let error as LabService.DamagedBundle: return PortalError(status: .internalServerError, message: error.description)
        default: return PortalError(status: .internalServerError, message: "\(error)")
        }
    }
}

/// JSON text from plain values (dictionaries, arrays, strings, numbers, booleans, NSNull), keys sorted.
enum JSONText {
    static func object(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject(value),
              let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// A JSON response.
    static func response(_ text: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
