/// CRC-32 as in zlib, PNG and Ethernet (IEEE 802.3): reflected polynomial
/// 0xEDB88320, initial value and final XOR 0xFFFFFFFF. The checksum of the
/// ASCII bytes "123456789" is 0xCBF43926, and Python's `zlib.crc32` returns
/// the same values.
struct CRC32 {
    /// The running value, before the final XOR.
    private var state: UInt32 = 0xFFFF_FFFF

    private static let table: [UInt32] = (0..<256).map { byte in
        var value = UInt32(byte)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }

    /// Feeds `bytes` into the checksum.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var state = self.state
        Self.table.withUnsafeBufferPointer { table in
            for byte in bytes {
                state = table[Int((state ^ UInt32(byte)) & 0xFF)] ^ (state >> 8)
            }
        }
        self.state = state
    }

    /// The checksum of every byte fed so far.
    var value: UInt32 {
        state ^ 0xFFFF_FFFF
    }

    /// Returns the checksum of `bytes`.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}
