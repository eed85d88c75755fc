import Foundation
import Lab

/// Ctrl-C or SIGTERM while a command owns a testbed: the testbed goes down (its servers, loads and
/// runners stopped, the runners' tc filters gone with the namespaces) and the command exits
/// 128 + the signal, as its own end would have left things. Without it an interrupted `overhead`
/// or `demo` died and left all of that running.
///
/// The handler only writes the signal's number to a pipe, the one thing a handler may safely do;
/// a thread reads it and tears down. A handled signal, unlike an ignored one, is reset to its
/// default in the programs the testbed starts, so the runners' own SIGINT (their detach) still
/// works. The command's thread may meanwhile end and exit (its work failed as the processes
/// stopped): an exit handler holds it until the teardown has ended the process.
enum InterruptTeardown {
    /// The pipe's write end, read by the signal handler (a plain global: no lazy initialisation there).
    nonisolated(unsafe) static var signalPipe: Int32 = -1
    nonisolated(unsafe) static var tearingDown = false

    static func install(_ testbed: Testbed, alsoRemove work: URL? = nil) throws {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw LabError.unexpectedOutput("pipe() for the interrupt handler failed: errno \(errno)") }
        signalPipe = ends[1]
        let handler: @convention(c) (Int32) -> Void = { signal in
            var number = UInt8(truncatingIfNeeded: signal)
            _ = write(InterruptTeardown.signalPipe, &number, 1)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        atexit {
            // the command's thread is exiting while the teardown runs: wait for it to end the process
            while InterruptTeardown.tearingDown { sleep(1) }
        }
        let readEnd = ends[0]
        Thread.detachNewThread {
            var number: UInt8 = 0
            guard read(readEnd, &number, 1) == 1 else { return }
            tearingDown = true
            let prefix = testbed.topology.prefix
            // The command's own thread fails as its processes stop; what it would print of that
            // (the killed command lines) is not news: its standard error goes to /dev/null.
            let user = FileHandle(fileDescriptor: dup(2), closeOnDealloc: true)
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 { dup2(null, 2) }
            let name = Int32(number) == SIGINT ? "SIGINT" : "SIGTERM"
            user.write(Data("meshtrace-lab: interrupted (\(name)): tearing down testbed \(prefix)\n".utf8))
            var status = 128 + Int32(number)
            do {
                try testbed.down()
                user.write(Data("meshtrace-lab: testbed \(prefix): down\n".utf8))
            } catch {
                user.write(Data("meshtrace-lab: testbed \(prefix) could not be torn down: \(error); `meshtrace-lab down --prefix \(prefix)` retries\n".utf8))
                status = 1
            }
            if let work { try? FileManager.default.removeItem(at: work) }
            fflush(nil) // every output stream: what the command printed so far
            _exit(status)
        }
    }
}
