@testable import Lab
import XCTest

final class LoadReportTests: XCTestCase {
    func testReadsWrkOutput() throws {
        let output = """
            Running 5s test @ http://198.19.2.2:8080/index.html
              2 threads and 8 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     3.51ms    1.20ms  20.11ms   90.00%
                Req/Sec     1.15k   100.00     1.30k    70.00%
              11470 requests in 5.01s, 3.21MB read
              Socket errors: connect 0, read 3, write 0, timeout 0
              Non-2xx or 3xx responses: 2
            Requests/sec:   2289.42
            Transfer/sec:    656.10KB

            """
        let report = try LoadReport(wrkOutput: output)
        XCTAssertEqual(report.requests, 11470)
        XCTAssertEqual(report.seconds, 5.01, accuracy: 0.001)
        XCTAssertEqual(report.requestsPerSecond, 2289.42, accuracy: 0.001)
        XCTAssertEqual(report.socketErrors, "connect 0, read 3, write 0, timeout 0")
        XCTAssertEqual(report.non2xx, 2)
        XCTAssertEqual(LoadReport.seconds("1.00m"), 60)
        XCTAssertThrowsError(try LoadReport(wrkOutput: "unable to connect"))
    }

    func testLuaQuotingKeepsCRLF() {
        XCTAssertEqual(Testbed.luaQuoted("GET / HTTP/1.1\r\nA: \"b\\\"\r\n"), #""GET / HTTP/1.1\r\nA: \"b\\\"\r\n""#)
    }
}
