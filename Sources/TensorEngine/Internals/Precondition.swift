/// Stops the program with `message` when `condition` is false, in debug and
/// release builds alike.
///
/// It shadows the standard library's `precondition` inside TensorEngine
/// because that one, in an optimised (`-O`) build, traps without printing its
/// message, and a shape mismatch must print both shapes whatever the build.
/// `fatalError` prints its message in every build mode.
@inline(__always)
func precondition(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String = String(),
    file: StaticString = #file,
    line: UInt = #line
) {
    if !condition() {
        fatalError(message(), file: file, line: line)
    }
}
