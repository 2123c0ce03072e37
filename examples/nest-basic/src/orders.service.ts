import { Injectable, NotFoundException } from '@nestjs/common'
import { InjectLogger, LogstashLogger } from '@logstash-async/nest'

export interface Order { id: number, item: string }

@Injectable()
export class OrdersService {
  readonly #orders = new Map<number, Order>()

  constructor (@InjectLogger() private readonly logger: LogstashLogger) {}

  async place (item: string): Promise<Order> {
    // Stands for a database call: the request's fields survive the await.
    await new Promise((resolve) => setTimeout(resolve, 5))
    const order = { id: this.#orders.size + 1, item }
    this.#orders.set(order.id, order)
    this.logger.log('order placed', { orderId: order.id, item }, OrdersService.name)
    return order
  }

  find (id: number): Order {
    const order = this.#orders.get(id)
    if (order === undefined) throw new NotFoundException(`order ${id} does not exist`)
    return order
  }
}
