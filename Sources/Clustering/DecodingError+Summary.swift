import Foundation

extension DecodingError {
    /// One line for an error message: what is wrong and at which key path,
    /// such as `key 'training.crop' is missing`. The default description is
    /// several lines of Foundation internals.
    var summary: String {
        func path(_ context: Context, appending key: CodingKey? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            let names = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return names.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch self {
        case .keyNotFound(let key, let context):
            return "key '\(path(context, appending: key))' is missing"
        case .valueNotFound(_, let context):
            return "key '\(path(context))' is null"
        case .typeMismatch(let type, let context):
            return "key '\(path(context))' is not of type \(type)"
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "it is not valid JSON"
        case .dataCorrupted(let context):
            return "key '\(path(context))' is invalid: \(context.debugDescription)"
        @unknown default:
            return "it cannot be decoded"
        }
    }
}
