/** ECharts on a div: only the charts and components the console uses are registered. */
import { useEffect, useRef, type ReactNode } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart, TreemapChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, BarChart, PieChart, TreemapChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, DataZoomComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

export const COLORS = {
  queries: '#3b82f6',
  blocked: '#dc2626',
  infected: '#b91c1c',
  units: '#ea580c',
  opened: '#7c3aed',
  critical: '#7f1d1d',
  high: '#dc2626',
  medium: '#ea580c',
  low: '#eab308',
  info: '#9ca3af',
};

export function Chart({ option, height = 260, onClick, testId }: { option: ChartOption; height?: number; onClick?: (name: string, data: unknown) => void; testId?: string }): ReactNode {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (p) => clickRef.current?.(String(p.name), p.data));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);

  return <div ref={el} className="chart" style={{ height }} data-testid={testId} />;
}

/** A time-axis line/area chart from parallel arrays. */
export function timeSeriesOption(t: number[], series: Array<{ name: string; data: number[]; color: string; area?: boolean }>, zoom = false): ChartOption {
  return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: series.map((s) => s.name) },
    grid: { left: 56, right: 20, top: 32, bottom: zoom ? 56 : 28 },
    xAxis: { type: 'time' },
    yAxis: { type: 'value', minInterval: 1 },
    dataZoom: zoom ? [{ type: 'inside' }, { type: 'slider', height: 18, bottom: 8 }] : [],
    series: series.map((s) => ({
      name: s.name,
      type: 'line',
      showSymbol: false,
      smooth: false,
      color: s.color,
      areaStyle: s.area ? { opacity: 0.15 } : undefined,
      data: t.map((x, i) => [x, s.data[i] ?? 0]),
    })),
  };
}
