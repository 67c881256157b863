/// The `--offset DN` option: the value subtracted from every sample before
/// dividing by 10000, for commands that compute reflectance.
enum ReflectanceOption {
    static let spec = OptionSpec(
        "--offset", value: "DN",
        help: "subtract DN from samples before / 10000, such as 1000 for baseline 04.00 and later (default: from metadata, else 0)")

    /// Returns the declared offset, or nil to take it from the scene's metadata.
    static func offset(_ arguments: ParsedArguments) throws -> Float? {
        guard arguments.string("--offset") != nil else { return nil }
        return Float(try arguments.decimal("--offset", default: 0, in: -100_000...100_000))
    }
}
