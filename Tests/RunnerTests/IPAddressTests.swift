import Runner
import XCTest

/// Addresses as the runner keeps them: bytes, formatted only when printed.
final class IPAddressTests: XCTestCase {
    func testIPv4RoundTripsThroughItsBytes() throws {
        let address = try XCTUnwrap(IPAddress("198.19.2.2"))
        XCTAssertFalse(address.isIPv6)
        XCTAssertEqual(address.description, "198.19.2.2")
        XCTAssertEqual(address.bytes, [198, 19, 2, 2] + [UInt8](repeating: 0, count: 12), "as table keys and events carry it")
        let fromEvent = address.bytes.withUnsafeBytes { IPAddress($0, at: 0, isIPv6: false) }
        XCTAssertEqual(fromEvent, address)
        XCTAssertEqual(fromEvent.hashValue, address.hashValue)
    }

    func testIPv4FromAnEventIgnoresTheBytesPastItsFour() {
        let bytes: [UInt8] = [7, 10, 0, 0, 1] + [UInt8](repeating: 0xee, count: 15)
        let address = bytes.withUnsafeBytes { IPAddress($0, at: 1, isIPv6: false) }
        XCTAssertEqual(address.description, "10.0.0.1")
        XCTAssertEqual(address, IPAddress("10.0.0.1"))
    }

    func testIPv6KeepsAllSixteenBytes() throws {
        let address = try XCTUnwrap(IPAddress("fd00::1:2"))
        XCTAssertTrue(address.isIPv6)
        XCTAssertEqual(address.bytes, [0xfd, 0] + [UInt8](repeating: 0, count: 10) + [0, 1, 0, 2])
        XCTAssertEqual(address.description, "fd00:0:0:0:0:0:1:2", "eight groups, no :: compression (as records always printed them)")
        XCTAssertNotEqual(address, IPAddress("fd00::1:3"))
    }

    func testTextThatIsNoAddressIsNil() {
        XCTAssertNil(IPAddress("not-an-ip"))
        XCTAssertNil(IPAddress("198.19.2.256"))
        XCTAssertNil(FiveTuple(family: 4, transportProtocol: 6, sourcePort: 1, destinationPort: 2, source: "198.19.1.2", destination: "x"))
    }
}
