import ShorelineCLI
import Foundation

exit(Shoreline.main(arguments: Array(CommandLine.arguments.dropFirst())))
