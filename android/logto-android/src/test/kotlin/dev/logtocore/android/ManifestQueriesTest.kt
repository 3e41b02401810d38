package dev.logtocore.android

import android.content.Intent
import android.content.IntentFilter
import android.net.Uri
import org.junit.Assert.assertTrue
import org.junit.Test
import org.junit.runner.RunWith
import org.robolectric.RobolectricTestRunner
import org.robolectric.RuntimeEnvironment
import org.w3c.dom.Element
import java.io.File
import javax.xml.parsers.DocumentBuilderFactory

/**
 * Android 11+ package visibility: without a matching `<queries>` entry, `resolveActivity` finds no browser and the
 * sign-in fails with `browser_unavailable`. The library's manifest must declare intents that match what it resolves:
 * `VIEW` + `BROWSABLE` for https (tenants) and http (the loopback dev endpoint), and the Custom Tabs service.
 * The entries are matched with the framework's own [IntentFilter.match].
 */
@RunWith(RobolectricTestRunner::class)
class ManifestQueriesTest {
    private val queries: List<IntentFilter> by lazy {
        val factory = DocumentBuilderFactory.newInstance().apply { isNamespaceAware = true }
        val document = factory.newDocumentBuilder().parse(File("src/main/AndroidManifest.xml"))
        val android = "http://schemas.android.com/apk/res/android"
        val queries = document.getElementsByTagName("queries").item(0) as Element
        val intents = queries.getElementsByTagName("intent")
        (0 until intents.length).map { index ->
            val intent = intents.item(index) as Element
            IntentFilter().apply {
                fun each(tag: String, block: (Element) -> Unit) {
                    val nodes = intent.getElementsByTagName(tag)
                    for (i in 0 until nodes.length) block(nodes.item(i) as Element)
                }
                each("action") { addAction(it.getAttributeNS(android, "name")) }
                each("category") { addCategory(it.getAttributeNS(android, "name")) }
                each("data") { addDataScheme(it.getAttributeNS(android, "scheme")) }
            }
        }
    }

    private fun declared(intent: Intent): Boolean = queries.any {
        it.match(RuntimeEnvironment.getApplication().contentResolver, intent, false, "queries") >= 0
    }

    private fun browse(url: String) = Intent(Intent.ACTION_VIEW, Uri.parse(url)).addCategory(Intent.CATEGORY_BROWSABLE)

    @Test
    fun httpsAuthorizationUrlIsVisible() {
        assertTrue(declared(browse("https://tenant.logto.app/oidc/auth?client_id=a")))
    }

    @Test
    fun loopbackHttpDevEndpointIsVisible() {
        assertTrue(declared(browse("http://127.0.0.1:3001/oidc/auth?client_id=a")))
        assertTrue(declared(browse("http://localhost:3001/oidc/auth?client_id=a")))
    }

    @Test
    fun customTabsServicesAreVisible() {
        assertTrue(declared(Intent("android.support.customtabs.action.CustomTabsService")))
    }
}
