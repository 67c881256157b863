import Foundation
import Testing
import TestSupport
import Tiling

@Suite struct OutputPathTests {
    let scratch = try! ScratchFolder(prefix: "output-path")

    @Test func fileInPathNamesTheFileOnTheWay() throws {
        let file = scratch.file("plain.txt")
        try Data("x".utf8).write(to: file)
        #expect(OutputPath.fileInPath(file.appendingPathComponent("a/b").path) == file.path)
        #expect(OutputPath.fileInPath(scratch.file("missing/a").path) == nil)
        #expect(OutputPath.fileInPath(scratch.url.path) == nil)
    }

    static let failures: [(error: NSError, reason: String)] = [
        (NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileNoSuchFile.rawValue), "No such file or directory"),
        (NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileWriteNoPermission.rawValue), "Permission denied"),
        (NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileWriteVolumeReadOnly.rawValue), "Read-only file system"),
        (NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileWriteUnknown.rawValue,
                 userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))]),
         "No space left on device"),
    ]

    @Test(arguments: failures)
    func creationFailureGivesTheSystemReason(error: NSError, reason: String) {
        #expect(OutputPath.creationFailureReason(scratch.file("out").path, error: error) == reason)
    }

    @Test func creationFailureNamesAFileOnTheWay() throws {
        let file = scratch.file("plain.txt")
        try Data("x".utf8).write(to: file)
        let error = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileWriteUnknown.rawValue)
        #expect(OutputPath.creationFailureReason(file.appendingPathComponent("out").path, error: error)
                == "'\(file.path)' is a file, not a folder")
    }
}
