import { FakeSnapshotter } from './fake-snapshotter.js'
import { snapshotterSuite } from './snapshotter.suite.js'

snapshotterSuite('FakeSnapshotter', async () => ({ snapshotter: new FakeSnapshotter(), scratch: '/fake-scratch' }))
