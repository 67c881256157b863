import GeoRaster

/// The `shoreline` command line: parses arguments, runs a subcommand and
/// returns the process exit code.
public enum Shoreline {
    /// Runs the command line given without the program name.
    /// - Returns: the exit code: 0 on success.
    public static func main(arguments: [String]) -> Int32 {
        GDALLibrary.registerDrivers()
        if arguments.isEmpty || arguments == ["--help"] || arguments == ["-h"] {
            print(usage)
            return 0
        }
        if arguments == ["--version"] {
            print("shoreline 0.1.0 (GDAL \(GDALLibrary.version))")
            return 0
        }
        StandardError.write("error: unknown command '\(arguments[0])'; run 'shoreline --help' for the list of commands")
        return 2
    }

    static let usage = """
        USAGE: shoreline <command> [options]

        Finds water in Sentinel-2 imagery without labels.

        COMMANDS:
          --version   print the version and GDAL's version
        """
}
