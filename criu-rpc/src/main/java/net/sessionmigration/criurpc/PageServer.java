package net.sessionmigration.criurpc;

import java.io.IOException;
import net.sessionmigration.criurpc.proto.Rpc.criu_req;
import net.sessionmigration.criurpc.proto.Rpc.criu_req_type;
import net.sessionmigration.criurpc.proto.Rpc.criu_resp;

/**
 * A page server started with PAGE_SERVER_CHLD: a child of its swrk worker, which stays open so
 * that {@link #awaitExit} can ask it (WAIT_PID) how the server ended. It listens already when
 * {@link CriuRpc#startPageServer} returns (CRIU binds before it answers). It serves one dump
 * and ends. {@link #close} kills it if it still runs.
 */
public final class PageServer implements AutoCloseable {
    private final SwrkWorker worker;
    private final int pid;
    private final int port;
    private Integer status;

    PageServer(SwrkWorker worker, int pid, int port) {
        this.worker = worker;
        this.pid = pid;
        this.port = port;
    }

    public int pid() {
        return pid;
    }

    public int port() {
        return port;
    }

    /**
     * Waits (at most the CriuRpc's timeout) for the page server to end and returns its wait
     * status (0: it served a dump and exited cleanly).
     */
    public synchronized int awaitExit() throws IOException {
        if (status == null) {
            // without keep_open: CRIU refuses keep_open on WAIT_PID and drops the connection
            worker.send(criu_req.newBuilder().setType(criu_req_type.WAIT_PID).setPid(pid).build());
            criu_resp r = worker.receive(criu_req_type.WAIT_PID);
            if (!r.getSuccess()) {
                throw new CriuException("WAIT_PID", r.getCrErrno(), r.hasCrErrmsg() ? r.getCrErrmsg() : null, "", null);
            }
            status = r.getStatus();
        }
        return status;
    }

    /** A wait status in words: "exited with 0", "was killed by signal 9". */
    public static String describe(int waitStatus) {
        return SwrkWorker.describe(waitStatus);
    }

    @Override
    public synchronized void close() {
        if (status == null) {
            CriuLibC.INSTANCE.kill(pid, CriuLibC.SIGKILL);
        }
        worker.close();
    }

}
