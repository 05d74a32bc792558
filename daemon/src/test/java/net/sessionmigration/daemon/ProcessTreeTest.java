package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The tree as the kernel's children lists give it, against a scan of all of /proc, on real processes. */
class ProcessTreeTest {
    private Process shell;

    @AfterEach
    void end() throws Exception {
        if (shell != null) {
            ProcessTree.killAndReap((int) shell.pid(), 2000);
            shell.destroyForcibly().waitFor();
        }
    }

    @Test
    void aTreeOfThreeLevelsIsRootFirstAndWhatTheScanFinds() throws Exception {
        // sh -> (sh -> sleep, sleep): a grandchild under a child, and a second child
        shell = new ProcessBuilder("sh", "-c", "sh -c 'sleep 60 & wait' & sleep 60 & wait").start();
        int root = (int) shell.pid();
        List<Integer> tree = awaitTree(root, 4);
        assertEquals(root, tree.get(0));
        assertEquals(new HashSet<>(ProcessTree.scanned(root)), new HashSet<>(tree));
        assertEquals(4, new HashSet<>(tree).size(), "no pid twice: " + tree);
        long sleeps = tree.stream().map(ProcessTree::read).filter(p -> p.orElseThrow().comm().equals("sleep")).count();
        assertEquals(2, sleeps, tree.toString());
    }

    @Test
    void aProcessWithoutChildrenIsItsOwnTreeAndAGoneOneToo() throws Exception {
        shell = new ProcessBuilder("sleep", "60").start();
        assertEquals(List.of((int) shell.pid()), ProcessTree.tree((int) shell.pid()));
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertEquals(List.of((int) p.pid()), ProcessTree.tree((int) p.pid()));
    }

    @Test
    void ourChildrenAreListedWithTheirState() throws Exception {
        shell = new ProcessBuilder("sleep", "60").start();
        int self = (int) ProcessHandle.current().pid();
        List<ProcessTree.Proc> children = ProcessTree.childrenOf(self);
        assertTrue(children.stream().anyMatch(c -> c.pid() == shell.pid() && c.comm().equals("sleep")), children.toString());
        assertTrue(children.stream().allMatch(c -> c.ppid() == self), children.toString());
    }

    private static List<Integer> awaitTree(int root, int size) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        List<Integer> tree = ProcessTree.tree(root);
        while (tree.size() < size && System.nanoTime() < end) {
            Thread.sleep(10);
            tree = ProcessTree.tree(root);
        }
        return tree;
    }
}
