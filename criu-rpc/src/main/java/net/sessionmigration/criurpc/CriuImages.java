package net.sessionmigration.criurpc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the daemon needs from a dump's images beyond the statistics. */
public final class CriuImages {
    private static final int INVENTORY_MAGIC = 0x58313116;
    /** inventory_entry.dump_criu_run_id in CRIU's images/inventory.proto. */
    private static final int DUMP_CRIU_RUN_ID = 13;

    private CriuImages() {
    }

    /**
     * The run id of the CRIU that made the dump in {@code dir} (from {@code inventory.img}),
     * or null if the images carry none. It names the nftables table of the dump's network lock:
     * {@code inet CRIU-<run id>} (nft shortens the name it lists). Over RPC CRIU logs its run
     * id before the log file is open, so the log does not name it.
     */
    public static String dumpRunId(Path dir) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("inventory.img"))).order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() < 8 || b.getInt() != INVENTORY_MAGIC) {
            throw new IOException(dir.resolve("inventory.img") + " is not a CRIU inventory image");
        }
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw new IOException("inventory.img: entry of " + len + " bytes in " + b.remaining());
        }
        // read one field of inventory_entry without its schema (it imports CRIU's whole core.proto)
        CodedInputStream in = CodedInputStream.newInstance(b.array(), b.position(), len);
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return null;
            }
            if (WireFormat.getTagFieldNumber(tag) == DUMP_CRIU_RUN_ID
                    && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                return in.readString();
            }
            in.skipField(tag);
        }
    }
}
