import Foundation

extension DecodingError {
    /// One line for an error message: what is wrong and at which key path,
    /// such as `key 'training.crop' is missing`. The default description is
    /// several lines of Foundation internals.
    var summary: String {
        func path(_ context: Context, appending key: CodingKey? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            let names = keys.map { $0.intValue.map { "[\($0)]" } ?? Self.snakeCase($0.stringValue) }
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
            // Foundation on Linux also reports a number that does not fit
            // its key's type (1.5 for a whole number) this way, without a key.
            return "it is not valid JSON, or a number in it does not fit its key (a fraction where a whole number belongs)"
        case .dataCorrupted(let context):
            return "key '\(path(context))' is invalid: \(context.debugDescription)"
        @unknown default:
            return "it cannot be decoded"
        }
    }

    /// Returns a key as `config.json` spells it: `subHeads` as `sub_heads`.
    /// Decoding with `convertFromSnakeCase` reports the property's name.
    static func snakeCase(_ key: String) -> String {
        key.reduce(into: "") { result, character in
            if character.isUppercase && !result.isEmpty { result.append("_") }
            result.append(contentsOf: character.lowercased())
        }
    }
}
