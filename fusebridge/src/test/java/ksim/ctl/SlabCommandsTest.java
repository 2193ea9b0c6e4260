package ksim.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import ksim.kernel.Clock;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;
import ksim.mm.slub.CacheStats;
import org.junit.jupiter.api.Test;

/** The slab commands of the control protocol: what each does to SLUB, and their refusals. */
class SlabCommandsTest {
    private final Kernel k = Kernel.boot(KernelConfig.defaults().withClockMode(Clock.Mode.MANUAL)
            .withBootEpochMs(1_700_000_000_000L).withSeed(7));
    private final Session s = Session.open(k);

    private Map<String, String> ok(String line) {
        String a = s.execute(line);
        assertTrue(a.startsWith("ok"), line + " -> " + a);
        return CtlProtocolTest.fields(a);
    }

    private String err(String line) {
        String a = s.execute(line);
        assertTrue(a.startsWith("err "), line + " -> " + a);
        return a.split(" ")[1];
    }

    private long objects(String cache) {
        return k.locked(() -> CacheStats.sum(k.slub().stats(k.slub().find(cache)).objects()));
    }

    @Test
    void aCacheFillsGoesBackAndIsDestroyed() {
        // A constructor makes it unmergeable: its own cache, gone once destroyed.
        Map<String, String> c = ok("kmem_cache_create learner_obj 200 0 SLAB_HWCACHE_ALIGN init_once");
        assertEquals("0", c.get("merged"));
        assertEquals("learner_obj", c.get("name"));
        long before = objects("learner_obj");
        Map<String, String> a = ok("kmem_cache_alloc learner_obj --count 100 --cpu 1");
        assertEquals("100", a.get("count"));
        assertEquals(100, a.get("objects").split(",").length);
        assertTrue(objects("learner_obj") >= before + 100, "the objects are in use");
        String first = a.get("objects").split(",")[0];
        assertEquals("1", ok("kmem_cache_free learner_obj " + first + " --cpu 1").get("freed"));
        assertEquals("EINVAL", err("kmem_cache_free learner_obj 0xzz"));
        assertEquals("99", ok("kmem_cache_free learner_obj all --cpu 1").get("freed"));
        ok("kmem_cache_shrink learner_obj");
        ok("kmem_cache_destroy learner_obj");
        assertEquals("ENOENT", err("kmem_cache_destroy learner_obj"));
    }

    @Test
    void refusalsAreErrnos() {
        assertEquals("ENOENT", err("kmem_cache_alloc no_such_cache"));
        assertEquals("EINVAL", err("kmem_cache_alloc kmalloc-64 --count 0"));
        assertEquals("EPERM", err("kmem_cache_destroy task_struct"));
        assertEquals("1", ok("kmem_cache_create twice 64").get("merged"), "a plain 64-byte cache merges into an existing one");
        assertEquals("EEXIST", err("kmem_cache_create twice 64"));
        assertEquals("EINVAL", err("kmem_cache_create"));
    }
}
