/**
 * The extender reuses memory between calls (issue 19: fresh 45 KB verdict arrays and 60-150 KB answers per
 * pod at 5,000 nodes kept the collector busy): an evicted assessment's verdict arrays serve the next pod,
 * and answer buffers are taken again once sent. Neither may leak one call's bytes into another's answer.
 */
import { describe, expect, it } from 'vitest';
import { AnswerBuffers, filterAnswer, prioritizeAnswer } from '../../../platform/api/extender/answer-bytes.js';
import { PodAssessment, readOnlySession } from '../../../platform/api/extender/assess.js';
import { ControlPlane } from '../../../platform/domain/control-plane.js';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { ClusterState } from '../../../platform/domain/cluster-state.js';

/** A cluster of `nodes` empty nodes, a network and tenant `a`. */
function cluster(nodes: number): ClusterState {
  const state = new ClusterState();
  const cp = new ControlPlane(state, localAdmin('admin'), () => new Date(0));
  cp.createCluster({ name: 'c1', nodes });
  cp.createNetwork({ name: 'net1', subnet: '10.1.0.0/16', start: '10.1.0.10', end: '10.1.250.200', gateway: '10.1.0.1' });
  cp.createTenant('a');
  return state;
}

const pod = (name: string, cpu: string, node?: string) => ({
  metadata: { name, namespace: 'a', uid: `uid-${name}` },
  spec: {
    containers: [{ name: 'c', resources: { requests: { cpu, memory: '64Mi' } } }],
    ...(node !== undefined ? { nodeSelector: { 'kubernetes.io/hostname': node } } : {}),
  },
});

describe('the extender reuses its memory', () => {
  it("gives a pod's assessment another's arrays and still answers as a fresh one", () => {
    const state = cluster(6);
    const session = readOnlySession(state);
    const names = ['node1', 'node2', 'node3', 'node4', 'node5', 'node6', 'node9'];
    // The first pod fits on node2 only; its arrays, full of its verdicts, go to a pod that fits everywhere.
    const pinned = new PodAssessment(session, state, pod('p1', '100m', 'node2'));
    const pinnedAnswer = filterAnswer(pinned, names, new AnswerBuffers()).toString();
    expect(JSON.parse(pinnedAnswer).NodeNames).toEqual(['node2']);
    const spare = pinned.release();
    const reused = new PodAssessment(session, state, pod('p2', '100m'), spare);
    const fresh = new PodAssessment(session, state, pod('p2', '100m'));
    const buffers = new AnswerBuffers();
    expect(filterAnswer(reused, names, buffers).toString()).toBe(filterAnswer(fresh, names, buffers).toString());
    expect(prioritizeAnswer(reused, names, buffers).toString()).toBe(prioritizeAnswer(fresh, names, buffers).toString());
    expect(JSON.parse(filterAnswer(reused, names, buffers).toString()).NodeNames).toHaveLength(6);
    // Arrays of another table's size are not taken.
    const bigger = cluster(8);
    const other = new PodAssessment(readOnlySession(bigger), bigger, pod('p3', '100m'), reused.release());
    expect(JSON.parse(filterAnswer(other, ['node7', 'node8'], buffers).toString()).NodeNames).toEqual(['node7', 'node8']);
  });

  it('takes a buffer given back again, never hands one out twice, and takes back only its own', () => {
    const buffers = new AnswerBuffers(2, 1024);
    const a = buffers.take(100);
    const b = buffers.take(100);
    expect(a.buffer).not.toBe(b.buffer);
    buffers.give(a.subarray(0, 10));
    buffers.give(a); // given back twice: kept once
    const c = buffers.take(120); // 100 * 1.25 = 125 bytes of room
    expect(c.buffer).toBe(a.buffer);
    expect(c.length).toBe(120);
    expect(buffers.take(120).buffer).not.toBe(a.buffer);
    // Not its own: a plain buffer and one from the pool of another are ignored.
    buffers.give(Buffer.alloc(200));
    buffers.give(new AnswerBuffers().take(200));
    expect([a.buffer, b.buffer]).not.toContain(buffers.take(200).buffer);
    // Past `largest`: allocated, and not kept when given back.
    const huge = buffers.take(4096);
    buffers.give(huge);
    expect(buffers.take(4096).buffer).not.toBe(huge.buffer);
  });

  it('answers each call with its own bytes when buffers are reused, however the answers vary in length', () => {
    const state = cluster(6);
    const session = readOnlySession(state);
    const buffers = new AnswerBuffers(1);
    const all = ['node1', 'node2', 'node3', 'node4', 'node5', 'node6'];
    for (const [k, node] of [undefined, 'node3', undefined, 'node6', 'node1'].entries()) {
      const assessment = new PodAssessment(session, state, pod(`p${k}`, '100m', node));
      const answer = filterAnswer(assessment, all, buffers);
      const text = answer.toString();
      buffers.give(answer);
      const want = new PodAssessment(session, state, pod(`p${k}`, '100m', node));
      expect(text).toBe(filterAnswer(want, all, new AnswerBuffers()).toString());
      const scores = prioritizeAnswer(assessment, all, buffers);
      expect(JSON.parse(scores.toString())).toEqual(JSON.parse(prioritizeAnswer(want, all, new AnswerBuffers()).toString()));
      buffers.give(scores);
    }
  });
});
